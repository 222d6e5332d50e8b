import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import type { Actor } from '../audit/index.ts'
import { missingAbilities, type Ability } from './abilities.ts'
import { problem, ProblemError } from './problem.ts'
import { tokenActor, type ApiToken, type ApiTokens } from './tokens.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The abilities an API route needs (every one of them). */
    abilities?: readonly Ability[]
  }
  interface FastifyRequest {
    /** The API token of the request (set by the API's auth hook). */
    apiToken: ApiToken
  }
}

const REASONS = {
  missing: 'Send an API token as "Authorization: Bearer stk_…" (Settings → API & webhooks).',
  malformed: 'The Authorization header is not "Bearer" and a Stocktake token (stk_…).',
  unknown: 'This token is not known. Check that it was copied whole, or mint a new one.',
  expired: 'This token has expired. Mint a new one in Settings → API & webhooks.',
  revoked: 'This token was revoked. Mint a new one in Settings → API & webhooks.'
} as const

export function workspaceOf (request: FastifyRequest): string {
  return request.apiToken.workspace_id
}

export function actorOf (request: FastifyRequest): Actor {
  return tokenActor(request.apiToken, request.id)
}

/**
 * Every API request presents a bearer token; its workspace is the request's workspace (the host is
 * not consulted). 401 when the token is missing, malformed, unknown, expired or revoked; 403 naming
 * the abilities the route needs and the token lacks.
 */
export default fp<{ tokens: ApiTokens }>(async (app, opts) => {
  app.decorateRequest('apiToken', null as unknown as ApiToken)
  app.addHook('onRequest', async (request) => {
    const found = await opts.tokens.authenticate(request.headers.authorization)
    if (!found.ok) {
      const error = found.reason === 'missing' ? '' : ', error="invalid_token"'
      throw new ProblemError(problem(401, 'unauthorized', REASONS[found.reason], [{ field: 'Authorization', rule: found.reason, message: REASONS[found.reason] }]),
        { 'www-authenticate': `Bearer realm="stocktake"${error}` })
    }
    const missing = missingAbilities(found.token.abilities, request.routeOptions.config.abilities ?? [])
    if (missing.length > 0) {
      await app.audit.denied(request, found.token.workspace_id, tokenActor(found.token, request.id), { reason: 'ability', needed: missing })
      throw new ProblemError(problem(403, 'missing-ability', `This token lacks the ${missing.join(' and ')} abilit${missing.length > 1 ? 'ies' : 'y'} that this request needs.`,
        missing.map(a => ({ field: 'Authorization', rule: 'ability', message: `needs the ${a} ability` })), { missing_abilities: missing }),
      { 'www-authenticate': `Bearer realm="stocktake", error="insufficient_scope", scope="${missing.join(' ')}"` })
    }
    request.apiToken = found.token
    await opts.tokens.touch(found.token)
  })
}, { name: 'api-auth' })
