import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { systemActor } from '../../core/audit/index.ts'
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA } from '../../plugins/scim/schemas.ts'

export { ENTERPRISE_SCHEMA as ENTERPRISE, GROUP_SCHEMA as GROUP, PATCH_OP, USER_SCHEMA as USER }

export interface ScimClient {
  secret: string
  tokenId: string
  call: (method: string, url: string, payload?: unknown) => Promise<LightMyRequestResponse>
  /** The body of a 2xx answer, failing loudly on anything else. */
  ok: (method: string, url: string, payload?: unknown) => Promise<any>
  patch: (url: string, ...operations: unknown[]) => Promise<LightMyRequestResponse>
}

/** A SCIM client of the workspace with a new SCIM token, as an identity provider calls /scim/v2. */
export async function scimClient (app: FastifyInstance, workspaceId: string, name = 'IdP'): Promise<ScimClient> {
  const { token, secret } = await app.scimTokens.create(workspaceId, systemActor, { name })
  const call = (method: string, url: string, payload?: unknown) => app.inject({
    method: method as 'GET',
    url: `/scim/v2${url}`,
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/scim+json' },
    ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) })
  })
  return {
    secret,
    tokenId: token.id,
    call,
    async ok (method, url, payload) {
      const res = await call(method, url, payload)
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
      return res.body ? JSON.parse(res.body) : undefined
    },
    patch: (url, ...operations) => call('PATCH', url, { schemas: [PATCH_OP], Operations: operations })
  }
}
