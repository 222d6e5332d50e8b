import type { FastifyInstance } from 'fastify'

const status = {
  200: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] },
  503: { type: 'object', properties: { status: { type: 'string' }, failing: { type: 'array', items: { type: 'string' } } } }
}

/**
 * Liveness (the process answers) and readiness: the app's own tables answer a query (not only a
 * connection: a session whose search_path was emptied, or a schema gone, fails every page) and the
 * job queue is reachable.
 */
export default async function healthRoutes (app: FastifyInstance) {
  app.get('/healthz', { schema: { response: { 200: status[200] } }, logLevel: 'warn' }, async () => ({ status: 'ok' }))

  app.get('/readyz', { schema: { response: status }, logLevel: 'warn' }, async (_request, reply) => {
    const failing: string[] = []
    // Unqualified, as every query of the app is: it resolves through the session's search_path.
    await app.db.raw('SELECT id FROM workspaces LIMIT 1').catch(() => failing.push('database'))
    await app.jobs.ready().then(ok => { if (!ok) failing.push('jobs') }, () => failing.push('jobs'))
    if (failing.length > 0) return reply.code(503).send({ status: 'unavailable', failing })
    return { status: 'ready' }
  })
}
