import { Ajv } from 'ajv'
import path from 'node:path'
import { DEFAULT_STATEMENT_CACHE } from './db/statement-cache.ts'
import { parsePluginPaths } from './integrations/plugin-paths.ts'

export interface Config {
  port: number
  host: string
  databaseUrl: string | null
  /** Statements each database connection keeps prepared (0: none). */
  dbStatementCache: number
  dataDir: string
  baseDomain: string
  baseUrl: string
  defaultWorkspace: string
  sessionSecret: string | null
  masterKey: string | null
  runWorker: boolean
  logLevel: string
  trustProxy: boolean
  /** Extra plugin folders (or folders of plugin folders) from STOCKTAKE_PLUGIN_PATHS. */
  pluginPaths: string[]
  /** API requests a minute per token. */
  apiRateLimit: number
  /** Single sign-on starts and callbacks a minute per client address, on each web node (STOCKTAKE_SSO_RATE_LIMIT). */
  ssoRateLimit: number
  /** Megabytes of API list pages kept between requests (0: none). */
  apiListCacheMb: number
  /** Let webhooks reach private, loopback and link-local addresses (STOCKTAKE_WEBHOOK_ALLOW_PRIVATE=1). */
  webhookAllowPrivate: boolean
  /** The largest CSV file an import takes, in megabytes. */
  csvMaxMb: number
}

const schema = {
  type: 'object',
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    STOCKTAKE_DB_STATEMENT_CACHE: { type: 'integer', minimum: 0, maximum: 10000, default: DEFAULT_STATEMENT_CACHE },
    STOCKTAKE_DATA_DIR: { type: 'string', minLength: 1, default: './data' },
    STOCKTAKE_BASE_DOMAIN: { type: 'string', pattern: '^[a-z0-9.-]+$', default: 'localhost' },
    STOCKTAKE_BASE_URL: { type: 'string', pattern: '^https?://[^/]+$' },
    STOCKTAKE_WORKSPACE: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', default: 'demo' },
    STOCKTAKE_SESSION_SECRET: { type: 'string', minLength: 32 },
    STOCKTAKE_MASTER_KEY: { type: 'string', minLength: 32 },
    STOCKTAKE_WORKER: { type: 'string', enum: ['0', '1', 'true', 'false'], default: '1' },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    STOCKTAKE_TRUST_PROXY: { type: 'string', enum: ['0', '1', 'true', 'false'], default: '0' },
    STOCKTAKE_PLUGIN_PATHS: { type: 'string' },
    STOCKTAKE_API_RATE_LIMIT: { type: 'integer', minimum: 1, maximum: 1000000, default: 600 },
    STOCKTAKE_SSO_RATE_LIMIT: { type: 'integer', minimum: 1, maximum: 100000, default: 30 },
    STOCKTAKE_API_LIST_CACHE_MB: { type: 'integer', minimum: 0, maximum: 4096, default: 32 },
    STOCKTAKE_WEBHOOK_ALLOW_PRIVATE: { type: 'string', enum: ['0', '1', 'true', 'false'], default: '0' },
    STOCKTAKE_CSV_MAX_MB: { type: 'integer', minimum: 1, maximum: 1024, default: 50 }
  }
} as const

// Never echoed back in an error message: it would land in logs.
const SECRET_VARIABLES = new Set(['STOCKTAKE_SESSION_SECRET', 'STOCKTAKE_MASTER_KEY', 'DATABASE_URL'])

const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: true })
const validate = ajv.compile(schema)

export class ConfigError extends Error {}

/** Reads the environment into one typed object; a bad variable stops start-up naming it. */
export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) {
    if (env[key] !== undefined && env[key] !== '') input[key] = env[key]
  }
  if (!validate(input)) {
    const problems = (validate.errors ?? []).map(e => {
      const name = e.instancePath.replace(/^\//, '')
      const shown = name in input && !SECRET_VARIABLES.has(name) ? ` (got "${String(input[name])}")` : ''
      return `${name} ${e.message ?? 'is invalid'}${shown}`
    })
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`)
  }
  const v = input as Record<string, string | number>
  const port = Number(v.PORT)
  const baseDomain = String(v.STOCKTAKE_BASE_DOMAIN)
  return {
    port,
    host: String(v.HOST),
    databaseUrl: (v.DATABASE_URL as string | undefined) ?? null,
    dbStatementCache: Number(v.STOCKTAKE_DB_STATEMENT_CACHE),
    dataDir: path.resolve(String(v.STOCKTAKE_DATA_DIR)),
    baseDomain,
    baseUrl: (v.STOCKTAKE_BASE_URL as string | undefined) ?? `http://${baseDomain}:${port}`,
    defaultWorkspace: String(v.STOCKTAKE_WORKSPACE),
    sessionSecret: (v.STOCKTAKE_SESSION_SECRET as string | undefined) ?? null,
    masterKey: (v.STOCKTAKE_MASTER_KEY as string | undefined) ?? null,
    runWorker: ['1', 'true'].includes(String(v.STOCKTAKE_WORKER)),
    logLevel: String(v.LOG_LEVEL),
    trustProxy: ['1', 'true'].includes(String(v.STOCKTAKE_TRUST_PROXY)),
    pluginPaths: parsePluginPaths(v.STOCKTAKE_PLUGIN_PATHS as string | undefined).map(p => path.resolve(p)),
    apiRateLimit: Number(v.STOCKTAKE_API_RATE_LIMIT),
    apiListCacheMb: Number(v.STOCKTAKE_API_LIST_CACHE_MB),
    ssoRateLimit: Number(v.STOCKTAKE_SSO_RATE_LIMIT),
    webhookAllowPrivate: ['1', 'true'].includes(String(v.STOCKTAKE_WEBHOOK_ALLOW_PRIVATE)),
    csvMaxMb: Number(v.STOCKTAKE_CSV_MAX_MB)
  }
}

/** The address of a workspace's pages: the slug becomes a subdomain of the base URL's host. */
export function workspaceUrl (config: Pick<Config, 'baseUrl'>, slug: string): string {
  const url = new URL(config.baseUrl)
  url.hostname = `${slug}.${url.hostname}`
  return url.origin
}
