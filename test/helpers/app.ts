import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../core/app.ts'
import { loadConfig, type Config } from '../../core/config.ts'
import { ensureWorkspace, type Workspace } from '../../core/tenancy/index.ts'
import { createTestDatabase, type TestDatabase } from './database.ts'
import type { DeliveryTuning } from '../../core/webhooks/index.ts'
import type { MailTuning } from '../../core/mail/index.ts'
import type { RecoveryTuning } from '../../core/jobs/index.ts'
import type { EmbeddedOptions } from '../../core/db/embedded.ts'
import { discoverPlugins, type DiscoveredPlugin } from '../../core/integrations/index.ts'

export interface TestContext {
  app: FastifyInstance
  database: TestDatabase
  config: Config
  workspace: (slug: string) => Promise<Workspace>
}

/** Fixed, so that two apps on one test database agree on the key that wraps its data keys. */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7)

interface Teardown { teardown: (fn: () => unknown) => void }

let builtinPlugins: Promise<DiscoveredPlugin[]> | undefined

export interface TestAppOptions {
  /** The plugins the app sees (default: the repository's plugins/). */
  plugins?: DiscoveredPlugin[]
  /** Routes every connector's vendor calls, e.g. routeToFake(fake.url) from core/sdk.ts. */
  httpDispatcher?: unknown
  /** Shorter webhook retries and timeouts (core/webhooks DeliveryTuning). */
  webhookTuning?: Partial<DeliveryTuning>
  mailTuning?: Partial<MailTuning>
  /** Fastify's logger options (e.g. `{ level: 'debug', stream }` to read what is logged); silent otherwise. */
  logger?: object
  /** Shorter heartbeats, leases and recovery sweeps (core/jobs RecoveryTuning). */
  recoveryTuning?: Partial<RecoveryTuning>
  /** Always on the embedded database, with these options (tests of the embedded database itself). */
  embedded?: EmbeddedOptions
}

/** Builds the real app on a fresh database for one test file; closed by the test's teardown. */
export async function buildTestApp (t: Teardown, env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestContext> {
  const database = await createTestDatabase(options.embedded)
  const config = loadConfig({ LOG_LEVEL: 'silent', STOCKTAKE_DATA_DIR: '/nonexistent', ...env })
  const plugins = options.plugins ?? await (builtinPlugins ??= discoverPlugins())
  const app = await buildApp({
    config, db: database.db, databaseUrl: database.url, embeddedDatabase: database.embedded, sessionSecret: 'test-session-secret-that-is-long-enough', masterKey: TEST_MASTER_KEY, plugins, httpDispatcher: options.httpDispatcher, webhookTuning: options.webhookTuning, mailTuning: options.mailTuning, logger: options.logger, recoveryTuning: options.recoveryTuning
  })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    await database.close()
  })
  return {
    app,
    database,
    config,
    workspace: async (slug) => (await ensureWorkspace(database.db, slug)).workspace
  }
}

/** The Host header that selects a workspace's pages. */
export function hostOf (slug: string, config: Pick<Config, 'baseDomain'>): string {
  return `${slug}.${config.baseDomain}`
}
