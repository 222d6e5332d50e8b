import type { FastifyInstance, LightMyRequestResponse as InjectResponse } from 'fastify'
import type { Test } from 'tap'
import { systemActor } from '../../core/audit/index.ts'
import type { Ability } from '../../core/api/index.ts'

export interface ApiClient {
  secret: string
  tokenId: string
  call: (method: string, url: string, payload?: unknown, headers?: Record<string, string>) => Promise<InjectResponse>
}

/** A client of the API with a new token of the workspace (all abilities unless given). */
export async function apiClient (app: FastifyInstance, workspaceId: string, abilities: Ability[] = [], expiresInDays: number | null = null): Promise<ApiClient> {
  const { token, secret } = await app.apiTokens.create(workspaceId, systemActor, { name: `test ${abilities.join(' ') || 'all'}`, abilities, expires_in_days: expiresInDays })
  return {
    secret,
    tokenId: token.id,
    call: (method, url, payload, headers = {}) => app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${secret}`, ...headers },
      ...(payload === undefined ? {} : { payload: payload as object })
    })
  }
}

export const json = (res: InjectResponse) => JSON.parse(res.body)

/** Asserts a problem+json answer with this status, and (when given) a field error with this field and rule. */
export function isProblem (t: Test, res: InjectResponse, status: number, field?: string, rule?: string) {
  t.equal(res.statusCode, status, `${status}: ${res.body.slice(0, 300)}`)
  t.match(res.headers['content-type'], /^application\/problem\+json/, 'problem+json')
  const body = json(res)
  t.match(body, { type: /^urn:stocktake:problem:/, title: String, status, detail: String, errors: Array })
  if (field) t.ok(body.errors.some((e: { field: string, rule: string }) => e.field === field && (!rule || e.rule === rule)), `names ${field} (${rule ?? 'any rule'}): ${JSON.stringify(body.errors)}`)
  return body
}
