import Fastify, { type FastifyInstance } from 'fastify'
import formbody from '@fastify/formbody'
import type { Knex } from 'knex'
import type { Config } from './config.ts'
import dbPlugin from './db/index.ts'
import secretsPlugin from './secrets/index.ts'
import jobsPlugin, { Jobs, type RecoveryTuning } from './jobs/index.ts'
import statisticsPlugin from './db/statistics.ts'
import auditPlugin from './audit/index.ts'
import eventsPlugin from './events/index.ts'
import registerPlugin from './register/index.ts'
import pluginRoutes from './integrations/plugin-routes.ts'
import integrationsPlugin, { type DiscoveredPlugin } from './integrations/index.ts'
import apiPlugin from './api/index.ts'
import webhooksPlugin, { type DeliveryTuning } from './webhooks/index.ts'
import mailPlugin, { type MailTuning } from './mail/index.ts'
import csvImportsPlugin from './csv-import/index.ts'
import healthRoutes from './health.ts'
import { pages } from './admin/index.ts'
import { ErrorShapes, clientErrorHandler, frameworkErrors } from './boundary/error-shapes.ts'
import { depthLimited, type StringBodyParser } from './boundary/json-depth.ts'
import { RequestLogging } from './boundary/request-logging.ts'

export interface AppOptions {
  config: Config
  db: Knex
  databaseUrl: string
  sessionSecret: string
  /** The key-encryption key of integration secrets (loadMasterKey in core/secrets). */
  masterKey: Buffer
  /** The discovered plugins (core/integrations discoverPlugins). */
  plugins?: DiscoveredPlugin[]
  /** Test hook: an undici dispatcher through which every connector reaches its vendor (a local fake). */
  httpDispatcher?: unknown
  /** Test hook: shorter webhook retries and timeouts. */
  webhookTuning?: Partial<DeliveryTuning>
  /** Test hook: fewer and quicker retries of email. */
  mailTuning?: Partial<MailTuning>
  /** This process opened the embedded database's folder itself (no process that used it before is alive). */
  ownsDatabase?: boolean
  /** The database is the embedded one, here or in another process (one session behind every connection); default: no DATABASE_URL. */
  embeddedDatabase?: boolean
  /** Test hook: shorter heartbeats, leases and recovery sweeps. */
  recoveryTuning?: Partial<RecoveryTuning>
  logger?: boolean | object
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    /** Every route registered, for suites that must cover all of them (tenancy, abilities). */
    routeList: Array<{ method: string, url: string }>
    /** How each part of the site (/api, a plugin's prefix, the pages) writes an error sent before routing. */
    errorShapes: ErrorShapes
  }
}

/** Builds the application: the core concerns, then the routes. The caller listens and closes. */
export async function buildApp (opts: AppOptions): Promise<FastifyInstance> {
  const errorShapes = new ErrorShapes()
  const app = Fastify({
    logger: opts.logger ?? {
      level: opts.config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]']
    },
    logController: new RequestLogging(),
    trustProxy: opts.config.trustProxy,
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    clientErrorHandler: clientErrorHandler(errorShapes),
    frameworkErrors: frameworkErrors(errorShapes)
  })
  app.decorate('config', opts.config)
  app.decorate('errorShapes', errorShapes)
  // Every JSON body, in every context that keeps the default parser, is refused (400) when it nests
  // deeper than MAX_JSON_DEPTH, before it is parsed.
  const parseJson = depthLimited(app.getDefaultJsonParser('error', 'error') as StringBodyParser)
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson)
  app.decorate('routeList', [])
  app.addHook('onRoute', route => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') app.routeList.push({ method, url: route.url })
    }
  })

  await app.register(formbody)
  await app.register(dbPlugin, { db: opts.db, embedded: opts.embeddedDatabase ?? !opts.config.databaseUrl })
  await app.register(secretsPlugin, { kek: opts.masterKey })
  await app.register(jobsPlugin, { jobs: new Jobs(opts.databaseUrl, opts.config.runWorker, { db: opts.db, ownsDatabase: opts.ownsDatabase, recovery: opts.recoveryTuning }) })
  await app.register(statisticsPlugin, { embedded: !opts.config.databaseUrl })
  await app.register(auditPlugin)
  await app.register(eventsPlugin)
  await app.register(registerPlugin)
  await app.register(integrationsPlugin, { plugins: opts.plugins ?? [], dispatcher: opts.httpDispatcher })
  await app.register(webhooksPlugin, { tuning: opts.webhookTuning })
  await app.register(mailPlugin, { tuning: opts.mailTuning })
  await app.register(csvImportsPlugin)

  await app.register(healthRoutes)
  await app.register(apiPlugin, { rateLimit: opts.config.apiRateLimit, listCacheMb: opts.config.apiListCacheMb })
  await app.register(pluginRoutes, { plugins: opts.plugins ?? [] })
  await app.register(pages, {
    baseDomain: opts.config.baseDomain,
    sessionSecret: opts.sessionSecret,
    secureCookies: opts.config.baseUrl.startsWith('https:')
  })
  return app
}
