import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import rateLimitPlugin from '@fastify/rate-limit'
import helmet from '@fastify/helmet'
import { Ajv } from 'ajv'
import { addRegisterFormats } from '../register/index.ts'
import auth from './auth.ts'
import { PROBLEM_SHAPE, problem, sendProblem, toProblem, unstorableInput } from './problem.ts'
import { SHARED_SCHEMAS } from './schemas.ts'
import { ApiTokens, SCIM_TOKENS } from './tokens.ts'
import { ListCache } from './list-cache.ts'
import { apiSecurityHeaders } from '../admin/security-headers.ts'
import hardwareRoutes from './routes/hardware.ts'
import userRoutes from './routes/users.ts'
import softwareRoutes from './routes/software.ts'
import assignmentRoutes from './routes/assignments.ts'
import requestRoutes from './routes/requests.ts'
import auditRoutes from './routes/audit.ts'
import webhookRoutes from './routes/webhooks.ts'

export { ABILITIES, ABILITY_LABELS, type Ability } from './abilities.ts'
export { ListCache } from './list-cache.ts'
export { ApiTokens, MAX_EXPIRY_DAYS, TOKEN_PREFIX, describeTokenError, type ApiToken, type TokenInput, type TokenKind } from './tokens.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** API tokens: minted in Settings → API & webhooks or by `stocktake create-token`. */
    apiTokens: ApiTokens
    /** SCIM tokens: one per identity provider, minted in Settings → SCIM or by `stocktake create-scim-token`. */
    scimTokens: ApiTokens
    /** Pages of hardware lists kept between requests, checked against committed writes on each (list-cache.ts). */
    listCache: ListCache
  }
}

export interface ApiOptions {
  /** Requests a minute per token (STOCKTAKE_API_RATE_LIMIT). */
  rateLimit: number
  /** Megabytes of list pages kept (STOCKTAKE_API_LIST_CACHE_MB; 0 keeps none). */
  listCacheMb: number
}

// Query, path and header values arrive as text and are coerced; a JSON body is taken as typed.
const coercing = addRegisterFormats(new Ajv({ allErrors: true, allowUnionTypes: true, coerceTypes: 'array', useDefaults: true, removeAdditional: false, strict: false }))
const strict = addRegisterFormats(new Ajv({ allErrors: true, allowUnionTypes: true, coerceTypes: false, useDefaults: true, removeAdditional: false, strict: false }))

/** The resources, behind the token check and the per-token rate limit. */
async function resources (app: FastifyInstance, opts: Pick<ApiOptions, 'rateLimit'> & { tokens: ApiTokens }) {
  await app.register(auth, { tokens: opts.tokens })
  await app.register(rateLimitPlugin, {
    global: true,
    max: opts.rateLimit,
    timeWindow: 60_000,
    keyGenerator: request => request.apiToken?.id ?? request.ip,
    enableDraftSpec: true,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `This token made more than ${context.max} requests in a minute; retry in ${context.after}.`
    })
  })
  await app.register(hardwareRoutes)
  await app.register(userRoutes)
  await app.register(softwareRoutes)
  await app.register(assignmentRoutes)
  await app.register(requestRoutes)
  await app.register(auditRoutes)
  await app.register(webhookRoutes)
}

/**
 * The REST API under /api: one encapsulated context with its own validation (every error field
 * by field), error and not-found handlers (application/problem+json only), the OpenAPI document
 * built from the route schemas, and Swagger UI. The workspace comes from the token, not the host.
 */
async function api (app: FastifyInstance, { rateLimit, tokens }: ApiOptions & { tokens: ApiTokens }) {
  await app.register(helmet, apiSecurityHeaders)
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema))
  app.setErrorHandler(async (error: Error, request, reply) => {
    const { body, headers } = toProblem(error, request)
    return sendProblem(reply, body, headers)
  })
  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(reply, problem(404, 'not-found', `There is no ${request.method} ${request.url.split('?')[0]} in this API; see /api/docs.`)))
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema)
  // A POST without a body (recover, approve, offboard) is an empty object, so a missing required
  // field is reported by name rather than as "body must be an object".
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body) request.body = {}
    const refused = unstorableInput(request)
    if (refused) throw refused
  })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Stocktake API',
        version: '1.0.0',
        description: 'The register of hardware, people, software seats and asset requests, and the audit log, of the workspace ' +
          'that the bearer token belongs to. Tokens are minted in Settings → API & webhooks. Errors are ' +
          'application/problem+json (RFC 9457) with an `errors` list of {field, rule, message}. Lists page by keyset: ' +
          'pass `next` back as `cursor`. Writes accept If-Match with the record version (412 when stale).'
      },
      servers: [{ url: '/' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token: stk_ followed by 43 letters and digits.' } } },
      security: [{ bearer: [] }],
      tags: [
        { name: 'Hardware', description: 'Abilities hardware:read / hardware:write.' },
        { name: 'Users', description: 'People. Abilities users:read / users:write.' },
        { name: 'Software', description: 'Abilities software:read / software:write.' },
        { name: 'Assignments', description: 'Software seats. Abilities software:read / software:write.' },
        { name: 'Requests', description: 'Asset requests (for hardware). Abilities hardware:read / hardware:write.' },
        { name: 'Audit', description: 'The audit log. Needs hardware:read, users:read and software:read.' },
        { name: 'Webhooks', description: 'Subscriptions to events, signed deliveries and their log. Ability webhooks:manage. See docs/webhooks.md for payloads and signatures.' }
      ]
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) }
  })
  // indexPrefix: the page links its files by absolute path, so /api/docs works without a trailing slash too.
  await app.register(swaggerUi, { routePrefix: '/docs', indexPrefix: '/api', uiConfig: { deepLinking: true }, staticCSP: true })
  await app.register(resources, { rateLimit, tokens })
}

export default fp<ApiOptions>(async (app, opts) => {
  const tokens = new ApiTokens(app.db)
  app.decorate('apiTokens', tokens)
  app.decorate('scimTokens', new ApiTokens(app.db, SCIM_TOKENS))
  const listCache = new ListCache(app.db, { maxBytes: opts.listCacheMb * 1024 * 1024 })
  app.decorate('listCache', listCache)
  const pruning = setInterval(() => {
    listCache.prune().catch(err => app.log.warn({ err }, 'list cache: pruning table_writes failed'))
  }, 60_000).unref()
  app.addHook('onClose', async () => { clearInterval(pruning) })
  app.errorShapes.add('/api', PROBLEM_SHAPE)
  await app.register(api, { ...opts, tokens, prefix: '/api' })
}, { name: 'api', dependencies: ['db', 'audit', 'register', 'webhooks'] })
