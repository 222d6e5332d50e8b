import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requireUser } from '../auth/session.ts'
import { ADMIN_ROLES } from '../auth/roles.ts'
import type { AuditFilters } from './types.ts'

const PAGE_SIZE = 50

const querySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    actor: { type: 'string', maxLength: 200 },
    action: { type: 'string', maxLength: 100 },
    target: { type: 'string', maxLength: 200 },
    from: { anyOf: [{ type: 'string', format: 'date' }, { type: 'string', maxLength: 0 }] },
    to: { anyOf: [{ type: 'string', format: 'date' }, { type: 'string', maxLength: 0 }] },
    before: { type: 'integer', minimum: 1 }
  }
} as const

type Query = AuditFilters & { before?: number }

export default async function auditRoutes (app: FastifyInstance) {
  app.get('/audit', {
    preHandler: requireUser(ADMIN_ROLES),
    schema: { querystring: querySchema }
  }, async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    const { before, ...filters } = request.query
    const page = await app.audit.list(request.workspace.id, filters, { before, limit: PAGE_SIZE })
    const params = new URLSearchParams(Object.entries(filters).filter(([, v]) => v) as [string, string][])
    if (page.nextBefore) params.set('before', String(page.nextBefore))
    const data = {
      title: 'Audit log',
      filters,
      rows: page.rows,
      nextUrl: page.nextBefore ? `/audit?${params}` : null
    }
    // htmx asks for the next page of rows only (the "Load more" button), or the filtered table.
    const target = request.headers['hx-target']
    if (target === 'audit-more') return reply.view('partials/audit-rows', { ...data, fragment: true })
    if (target === 'audit-results') return reply.view('partials/audit-results', { ...data, fragment: true })
    return reply.view('pages/audit', data)
  })
}
