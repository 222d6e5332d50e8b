import path from 'node:path'
import { parseArgs } from 'node:util'
import { scaffoldPlugin, ScaffoldError } from './new-plugin.ts'
import { integrationCommand, IntegrationUsageError, INTEGRATION_USAGE, readValues } from './integration-command.ts'
import { syncCommand, SYNC_USAGE } from './sync-command.ts'
import { checkImportArgs, importCommand, IMPORT_USAGE } from './import-command.ts'
import { privateHostCommand, PRIVATE_HOST_USAGE } from './private-host-command.ts'
import { ConfigError, loadConfig, type Config } from '../core/config.ts'
import { startRuntime } from '../core/runtime.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { ROLES, type Role } from '../core/auth/roles.ts'
import { setPassword } from '../core/auth/set-password.ts'
import { readName, type NameParts } from '../core/auth/person-name.ts'
import { knexFor, migrateAll, migrateToLatest, openDatabase } from '../core/db/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { parseMasterKey, rotateConfiguredMasterKey } from '../core/secrets/index.ts'
import { ABILITIES, describeTokenError } from '../core/api/index.ts'
import { scimTenantUrl } from '../core/api/scim-settings-page.ts'
import { systemActor } from '../core/audit/index.ts'
import { ValidationError } from '../core/register/index.ts'
import { findWorkspaceBySlug } from '../core/tenancy/index.ts'

const USAGE = `Usage: npx stocktake <command> [options]

Commands:
  start                                  start the server and worker (same as npm start)
  worker                                 run only the job worker (scale-out)
  migrate                                apply database migrations
  create-admin --workspace <slug> --email <email> [--role <role>] [--first-name <name> [--last-name <name>]]
                                         create the workspace and user if missing (named when given;
                                         an existing user without a name gets it); print a one-time sign-in URL
  set-password --workspace <slug> --email <email>
                                         set a user's password, read from standard input
  create-token --workspace <slug> --name <name> [--abilities a,b] [--expires-in-days N]
                                         mint an API token (abilities: ${ABILITIES.join(', ')};
                                         none = all; expiry at most 365 days); prints the secret last
  create-scim-token --workspace <slug> [--name <name>]
                                         mint a SCIM token for an identity provider (Okta, Entra ID);
                                         prints the tenant URL, then the token last
  rotate-master-key                      re-wrap every data key with STOCKTAKE_NEW_MASTER_KEY
${INTEGRATION_USAGE}
${PRIVATE_HOST_USAGE}
${SYNC_USAGE}
${IMPORT_USAGE}
  new-plugin <id> [--dir <folder>]       scaffold a working plugin folder (default under plugins/)

Roles: ${ROLES.join(', ')}. Configuration comes from the environment (see README).`

class UsageError extends Error {}

function required (values: Record<string, unknown>, name: string): string {
  const value = values[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`)
  return value
}

const list = (value: unknown): string[] => Array.isArray(value) ? value : []

/** --first-name and --last-name, checked as the account page checks a name; undefined when neither is given. */
function nameFlags (values: Record<string, unknown>): NameParts | undefined {
  if (values['first-name'] === undefined && values['last-name'] === undefined) return undefined
  const read = readName(values['first-name'], values['last-name'])
  if ('name' in read) return read.name
  const [field, message] = Object.entries(read.errors)[0]
  throw new UsageError(`--${field.replace('_', '-')}: ${message}`)
}

async function readStdin (): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
}

/** Runs fn against a running app (embedded: through the server's socket when it is running). */
async function withRuntime (config: Config, fn: (rt: Awaited<ReturnType<typeof startRuntime>>) => Promise<void>) {
  const runtime = await startRuntime({ ...config, runWorker: false }, { logger: false })
  try {
    await fn(runtime)
  } finally {
    await runtime.close()
  }
}

const commands: Record<string, (config: Config, values: Record<string, unknown>, positionals: string[]) => Promise<void>> = {
  async start () {
    const { main } = await import('../core/server.ts')
    await main()
  },

  async worker (config) {
    const runtime = await startRuntime({ ...config, runWorker: true })
    console.log('Stocktake worker running; Ctrl-C to stop.')
    await new Promise<void>(resolve => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve())
    })
    await runtime.close()
  },

  async migrate (config) {
    const plugins = await discoverPlugins({ pluginDirs: config.pluginPaths })
    const database = await openDatabase(config, { share: false })
    const db = knexFor(database, config.dbStatementCache)
    try {
      const applied = await migrateAll(db, plugins)
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date.')
    } finally {
      await db.destroy()
      await database.close()
    }
  },

  async 'create-admin' (config, values) {
    const slug = required(values, 'workspace')
    const email = required(values, 'email')
    const role = (values.role as string | undefined) ?? 'super-admin'
    if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`)
    const name = nameFlags(values)
    await withRuntime(config, async ({ app }) => {
      const access = await grantAdminAccess(app, slug, email, role as Role, name)
      if (access.createdWorkspace) console.log(`Created workspace "${slug}".`)
      console.log(access.createdUser
        ? `Created ${role} ${access.email}.`
        : `${access.email} already exists; role unchanged${access.named ? ', name set' : name ? ', name kept' : ''}.`)
      console.log('One-time sign-in URL (valid 15 minutes):')
      console.log(access.signInUrl)
    })
  },

  async 'set-password' (config, values) {
    const slug = required(values, 'workspace')
    const email = required(values, 'email')
    if (process.stdin.isTTY) console.error('Type the new password, then Enter and Ctrl-D:')
    const password = await readStdin()
    await withRuntime(config, async ({ app }) => {
      await setPassword(app, slug, email, password)
      console.log(`Password set for ${email}.`)
    })
  },

  async 'create-token' (config, values) {
    const slug = required(values, 'workspace')
    const name = required(values, 'name')
    const abilities = typeof values.abilities === 'string' ? values.abilities.split(',').map(a => a.trim()).filter(Boolean) : []
    const rawDays = values['expires-in-days']
    const days = typeof rawDays === 'string' ? (/^\d{1,9}$/.test(rawDays) ? Number(rawDays) : NaN) : null
    if (Number.isNaN(days)) throw new UsageError('--expires-in-days: must be a whole number of days (type)')
    await withRuntime(config, async ({ app }) => {
      const workspace = await findWorkspaceBySlug(app.db, slug)
      if (!workspace) throw new UsageError(`--workspace: no workspace "${slug}" (exists)`)
      try {
        const { token, secret } = await app.apiTokens.create(workspace.id, { ...systemActor, label: 'stocktake CLI' }, { name, abilities, expires_in_days: days })
        console.log(`Created API token "${token.name}" in "${slug}" with ${abilities.length ? abilities.join(', ') : 'all abilities'}${token.expires_at ? `, expiring ${token.expires_at.toISOString()}` : ', no expiry'}.`)
        console.log('The secret is shown once; store it now:')
        console.log(secret)
      } catch (err) {
        if (err instanceof ValidationError) throw new UsageError(describeTokenError(err))
        throw err
      }
    })
  },

  async 'create-scim-token' (config, values) {
    const slug = required(values, 'workspace')
    const name = typeof values.name === 'string' && values.name !== '' ? values.name : 'Identity provider'
    await withRuntime(config, async ({ app }) => {
      const workspace = await findWorkspaceBySlug(app.db, slug)
      if (!workspace) throw new UsageError(`--workspace: no workspace "${slug}" (exists)`)
      try {
        const { token, secret } = await app.scimTokens.create(workspace.id, { ...systemActor, label: 'stocktake CLI' }, { name })
        console.log(`Created SCIM token "${token.name}" in "${slug}". Tenant URL: ${scimTenantUrl(app.config, app.integrations.plugins)}`)
        console.log('The token is shown once; paste it into the identity provider now:')
        console.log(secret)
      } catch (err) {
        if (err instanceof ValidationError) throw new UsageError(describeTokenError(err))
        throw err
      }
    })
  },

  async integration (config, values, positionals) {
    const slug = required(values, 'workspace')
    try {
      const read = await readValues({ fromEnv: list(values['from-env']), fromStdin: list(values['from-stdin']) }, readStdin)
      await withRuntime(config, async ({ app }) => {
        process.exitCode = await integrationCommand(app, slug, positionals, read)
      })
    } catch (err) {
      if (err instanceof IntegrationUsageError) throw new UsageError(err.message)
      throw err
    }
  },

  async 'allow-private-host' (config, values, positionals) {
    const slug = required(values, 'workspace')
    await withRuntime(config, async ({ app }) => {
      try {
        await privateHostCommand(app, slug, positionals, values.remove === true)
      } catch (err) {
        if (err instanceof IntegrationUsageError) throw new UsageError(err.message)
        throw err
      }
    })
  },

  async sync (config, values, positionals) {
    const slug = required(values, 'workspace')
    await withRuntime(config, async ({ app }) => {
      try {
        process.exitCode = await syncCommand(app, slug, positionals[0], values['dry-run'] === true)
      } catch (err) {
        if (err instanceof IntegrationUsageError) throw new UsageError(err.message)
        throw err
      }
    })
  },

  async import (config, values, positionals) {
    const slug = required(values, 'workspace')
    const dateFormat = typeof values['date-format'] === 'string' ? values['date-format'] : undefined
    try {
      await checkImportArgs(positionals, dateFormat)
      await withRuntime(config, async ({ app }) => {
        process.exitCode = await importCommand(app, slug, positionals, { dryRun: values['dry-run'] === true, dateFormat })
      })
    } catch (err) {
      if (err instanceof IntegrationUsageError) throw new UsageError(err.message)
      throw err
    }
  },

  async 'new-plugin' (_config, values, positionals) {
    const [id] = positionals
    if (!id) throw new UsageError('new-plugin needs a plugin id')
    try {
      const dir = await scaffoldPlugin(id, (values.dir as string | undefined) ?? 'plugins')
      console.log(`Created ${dir}: manifest, settings schema, connector, client, map, card, icon, fake and test.`)
      console.log(`Next: edit it for your vendor, then run npx tap ${path.relative(process.cwd(), dir)} and npm test.`)
      console.log('Guide: docs/writing-a-plugin.md')
    } catch (err) {
      if (err instanceof ScaffoldError) throw new UsageError(err.message)
      throw err
    }
  },

  async 'rotate-master-key' (config) {
    const newKek = parseMasterKey(process.env.STOCKTAKE_NEW_MASTER_KEY, 'STOCKTAKE_NEW_MASTER_KEY')
    const database = await openDatabase(config, { share: false })
    const db = knexFor(database, config.dbStatementCache)
    try {
      await migrateToLatest(db)
      const { count, keyFile } = await rotateConfiguredMasterKey(db, config, newKek)
      console.log(`Re-wrapped ${count} data key${count === 1 ? '' : 's'} with the new master key.`)
      console.log(keyFile
        ? `Wrote the new master key to ${keyFile}.`
        : 'Now set STOCKTAKE_MASTER_KEY to the new key (the value of STOCKTAKE_NEW_MASTER_KEY) wherever Stocktake runs.')
      console.log('Restart every running Stocktake server and worker so that it uses the new key.')
    } finally {
      await db.destroy()
      await database.close()
    }
  }
}

async function run (argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE)
    return command ? 0 : 2
  }
  const handler = commands[command]
  if (!handler) {
    console.error(`Unknown command "${command}".\n\n${USAGE}`)
    return 2
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: {
        workspace: { type: 'string' },
        email: { type: 'string' },
        role: { type: 'string' },
        'first-name': { type: 'string' },
        'last-name': { type: 'string' },
        dir: { type: 'string' },
        'dry-run': { type: 'boolean' },
        'date-format': { type: 'string' },
        remove: { type: 'boolean' },
        name: { type: 'string' },
        abilities: { type: 'string' },
        'expires-in-days': { type: 'string' },
        'from-env': { type: 'string', multiple: true },
        'from-stdin': { type: 'string', multiple: true }
      },
      strict: true,
      allowPositionals: ['integration', 'new-plugin', 'sync', 'import', 'allow-private-host'].includes(command)
    })
    if (command !== 'integration' && (values['from-env'] || values['from-stdin'])) throw new UsageError('--from-env and --from-stdin are options of integration set')
    await handler(loadConfig(), values, positionals)
    return Number(process.exitCode ?? 0)
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      return 1
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(err as Error).message}\n\n${USAGE}`)
      return 2
    }
    console.error(`stocktake ${command}: ${(err as Error).message}`)
    return 1
  }
}

process.exitCode = await run(process.argv.slice(2))
