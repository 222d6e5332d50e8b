import type { FastifyInstance, FastifyRequest } from 'fastify'
import { decodeCursor, encodeCursor, type Sort } from '../../admin/list/index.ts'
import type { AuditFilters } from '../../audit/index.ts'
import { AUDIT_ABILITIES } from '../abilities.ts'
import { workspaceOf } from '../auth.ts'
import { DEFAULT_LIMIT, MAX_LIMIT } from '../pagination.ts'
import { badRequest } from '../problem.ts'
import { apiRoute, listOf } from '../schemas.ts'

// The log pages newest first by id (audit_log_workspace_idx); its cursor is the pages' kind,
// bound to this one order.
const ORDER: Sort = { key: 'id', dir: 'desc', option: { label: 'Newest first', segments: [{ keys: [] }] }, isDefault: true }

const date = { type: 'string', format: 'date' }

export const listAudit = apiRoute({
  summary: 'Read the audit log',
  description: 'Newest first. Every entry about any record, so reading it takes every read ability.',
  tags: ['Audit'],
  abilities: AUDIT_ABILITIES,
  querystring: {
    type: 'object',
    properties: {
      action: { type: 'string', maxLength: 100, description: 'Actions starting with this, e.g. `hardware.` or `hardware.assigned`.' },
      actor: { type: 'string', maxLength: 200, description: 'Part of the actor (an email, a token name).' },
      target: { type: 'string', maxLength: 200, description: 'Part of the target\'s label, or its exact id.' },
      from: { ...date, description: 'From this day (UTC).' },
      to: { ...date, description: 'Up to and including this day (UTC).' },
      limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
      cursor: { type: 'string', minLength: 1, maxLength: 2000, description: 'The `next` of the previous page.' }
    },
    additionalProperties: false
  },
  response: { 200: listOf('AuditEntry') }
})

export default async function auditRoutes (app: FastifyInstance) {
  app.get('/audit', listAudit, async (request: FastifyRequest<{ Querystring: AuditFilters & { limit: number, cursor?: string } }>) => {
    const { limit, cursor, ...filters } = request.query
    const after = cursor ? decodeCursor(cursor, ORDER) : null
    if (cursor && !(after && /^\d{1,18}$/.test(after.id))) throw badRequest('cursor', 'cursor', 'is damaged; start again without it')
    const page = await app.audit.list(workspaceOf(request), filters, { before: after ? Number(after.id) : undefined, limit })
    return { data: page.rows, next: page.nextBefore ? encodeCursor(ORDER, { segment: 0, keys: [], id: String(page.nextBefore) }) : null }
  })
}
