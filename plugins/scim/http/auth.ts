import type { FastifyInstance } from 'fastify'
import type { ConnectorRoutesOptions, InboundToken } from '../../../core/sdk.ts'
import { ScimError } from '../errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The SCIM token of the request: it names the workspace. */
    scimToken: InboundToken
  }
}

/** Every SCIM request presents a SCIM token; 401 with a SCIM body otherwise. */
export function requireScimToken (app: FastifyInstance, authenticate: ConnectorRoutesOptions['authenticate']): void {
  app.decorateRequest('scimToken', null as unknown as InboundToken)
  app.addHook('onRequest', async request => {
    const found = await authenticate(request.headers.authorization)
    if (!found.ok) throw new ScimError(401, undefined, found.message)
    request.scimToken = found.token
  })
}
