import type { FastifyInstance } from 'fastify'
import { requireUser } from '../auth/session.ts'

export default async function homeRoutes (app: FastifyInstance) {
  app.get('/', { preHandler: requireUser() }, async (request, reply) => {
    const ws = request.workspace.id
    const [hardware, people, requests] = await Promise.all([
      app.db('hardware').where({ workspace_id: ws }).select('status').count({ count: '*' }).groupBy('status').orderBy('status'),
      app.db('users').where({ workspace_id: ws }).select('status').count({ count: '*' }).groupBy('status').orderBy('status'),
      app.db('asset_requests').where({ workspace_id: ws }).whereIn('status', ['created', 'approved']).count({ count: '*' })
    ])
    type StatusCount = { status: string, count: string | number }
    return reply.view('pages/home', {
      title: 'Overview',
      hardware: (hardware as StatusCount[]).map(r => ({ status: r.status, count: Number(r.count) })),
      people: (people as StatusCount[]).map(r => ({ status: r.status, count: Number(r.count) })),
      openRequests: Number(requests[0].count)
    })
  })
}
