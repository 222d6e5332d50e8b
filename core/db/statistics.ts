import fp from 'fastify-plugin'

const ANALYZE_JOB = 'db.analyze'

/**
 * PGlite has no autovacuum, so the embedded database's planner statistics would never follow the
 * data: at 100,000 rows an unanalysed join was measured at 48 s instead of milliseconds. On the
 * embedded database a scheduled job refreshes them (about a second at that size); PostgreSQL's
 * autovacuum does this on a server.
 */
export default fp<{ embedded: boolean }>(async (app, opts) => {
  if (!opts.embedded) return
  app.jobs.define({ name: ANALYZE_JOB, policy: 'singleton', cron: '*/10 * * * *', handler: async () => { await app.db.raw('ANALYZE') } })
}, { name: 'db-statistics', dependencies: ['db', 'jobs'] })
