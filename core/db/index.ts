import fp from 'fastify-plugin'
import type { Knex } from 'knex'

export { createKnex, knexFor, asPgBossExecutor, type Db } from './knex.ts'
export { statementCacheFor } from './statement-cache.ts'
export { migrateAll, migratePlugin, migrateToLatest, type PluginMigrations } from './migrate.ts'
export { openDatabase, type OpenDatabase } from './open.ts'
export { startEmbedded } from './embedded.ts'
export { isDataException, isUniqueViolation } from './errors.ts'
export { escapeLike } from './like.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Knex
  }
}

/** Decorates the app with the knex instance; the caller owns its life cycle. */
export default fp<{ db: Knex }>(async (app, opts) => {
  app.decorate('db', opts.db)
}, { name: 'db' })
