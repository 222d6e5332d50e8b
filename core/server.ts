import closeWithGrace from 'close-with-grace'
import { ConfigError, loadConfig, workspaceUrl } from './config.ts'
import { startRuntime } from './runtime.ts'
import { countWorkspaces } from './tenancy/index.ts'
import { grantAdminAccess } from './auth/bootstrap.ts'
import { PluginDiscoveryError } from './integrations/index.ts'
import { MasterKeyMismatchError } from './secrets/index.ts'

const FIRST_ADMIN_EMAIL = 'admin@example.com'

/** Process entry: HTTP server and (unless STOCKTAKE_WORKER=0) the job worker, in one process. */
export async function main (): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(1)
    }
    throw err
  }

  let runtime
  try {
    runtime = await startRuntime(config)
  } catch (err) {
    if (err instanceof ConfigError || err instanceof PluginDiscoveryError || err instanceof MasterKeyMismatchError) {
      console.error(err.message)
      process.exit(1)
    }
    throw err
  }
  const { app } = runtime
  closeWithGrace({ delay: 25_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down: draining requests and jobs')
    await runtime.close()
  })

  const firstStart = await countWorkspaces(runtime.db) === 0
  await app.listen({ port: config.port, host: config.host })

  const where = runtime.database.mode === 'server' ? 'PostgreSQL (DATABASE_URL)' : `embedded database in ${config.dataDir}`
  console.log(`\nStocktake is running on ${where}, worker ${config.runWorker ? 'on' : 'off'}.`)
  if (firstStart) {
    const access = await grantAdminAccess(app, config.defaultWorkspace, FIRST_ADMIN_EMAIL)
    console.log(`Created workspace "${access.workspace.slug}" and super-admin ${access.email}.`)
    console.log('Sign in with this one-time link (valid 15 minutes):')
    console.log(`  ${access.signInUrl}\n`)
  } else {
    console.log(`Open ${workspaceUrl(config, config.defaultWorkspace)}/ — for a new sign-in link run:`)
    console.log(`  npx stocktake create-admin --workspace ${config.defaultWorkspace} --email ${FIRST_ADMIN_EMAIL}\n`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
