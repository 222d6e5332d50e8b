import fp from 'fastify-plugin'
import type { Knex } from 'knex'
import { pluginHandles } from './plugin-handles.ts'

export { createKnex, knexFor, asPgBossExecutor, type Db } from './knex.ts'
export { statementCacheFor } from './statement-cache.ts'
export { migrateAll, migratePlugin, migrateToLatest, type PluginMigrations } from './migrate.ts'
export { openDatabase, type OpenDatabase } from './open.ts'
export { startEmbedded } from './embedded.ts'
export { isDataException, isUniqueViolation } from './errors.ts'
export { escapeLike } from './like.ts'
export { pluginSchema } from './plugin-schema.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Knex
    /** A plugin's handle outside a transaction: it sees only the plugin's own tables (core/db/plugin-schema.ts). */
    pluginDb: (pluginId: string) => Knex
  }
}

/**
 * Decorates the app with the knex instance (the caller owns its life cycle) and the plugins'
 * handles over it (closed with the app). Without `embedded`, the handles that work on both databases.
 */
export default fp<{ db: Knex, embedded?: boolean }>(async (app, opts) => {
  app.decorate('db', opts.db)
  const handles = pluginHandles(opts.db, { embedded: opts.embedded ?? true })
  app.decorate('pluginDb', handles.of)
  app.addHook('onClose', async () => await handles.destroy())
}, { name: 'db' })
