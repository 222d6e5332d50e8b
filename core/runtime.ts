import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { buildApp } from './app.ts'
import type { Config } from './config.ts'
import { knexFor, migrateAll, openDatabase, type OpenDatabase } from './db/index.ts'
import { loadMasterKey, readOrCreateKeyFile } from './secrets/index.ts'
import { discoverPlugins } from './integrations/index.ts'

export interface Runtime {
  app: FastifyInstance
  database: OpenDatabase
  db: Knex
  close: () => Promise<void>
}

/**
 * Opens the database (embedded or DATABASE_URL), migrates it and builds the app: the shared
 * start of the server, the worker and every CLI command.
 */
export async function startRuntime (config: Config, options: { logger?: boolean | object, httpDispatcher?: unknown } = {}): Promise<Runtime> {
  // Plugins are validated before anything opens: an invalid one stops start-up naming file and field.
  const plugins = await discoverPlugins({ pluginDirs: config.pluginPaths })
  const database = await openDatabase(config)
  const db = knexFor(database, config.dbStatementCache)
  try {
    await migrateAll(db, plugins)
    const sessionSecret = config.sessionSecret ?? await readOrCreateKeyFile(config.dataDir, 'session.key')
    const masterKey = await loadMasterKey(config)
    const app = await buildApp({ config, db, databaseUrl: database.url, sessionSecret, masterKey, plugins, logger: options.logger, ownsDatabase: database.mode === 'embedded', embeddedDatabase: database.mode !== 'server', httpDispatcher: options.httpDispatcher })
    await app.ready()
    let closed = false
    return {
      app,
      database,
      db,
      async close () {
        if (closed) return
        closed = true
        await app.close()
        await db.destroy()
        await database.close()
      }
    }
  } catch (err) {
    await db.destroy()
    await database.close()
    throw err
  }
}
