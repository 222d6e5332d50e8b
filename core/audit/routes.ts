import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requireUser } from '../auth/session.ts'
import { ADMIN_ROLES } from '../auth/roles.ts'
import type { AuditFilters, AuditRow } from './types.ts'
import { sendCsv, type CsvColumn } from '../admin/list/index.ts'
import { isCalendarDate } from '../register/validate.ts'

const PAGE_SIZE = 50
const TEXT_FILTERS = { actor: 200, action: 100, target: 200 } as const
const DATE_FILTERS = ['from', 'to'] as const

type RawQuery = Record<string, string | string[] | undefined>

function first (value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value ?? '').trim()
}

/**
 * Reads the filters in the handler rather than by schema, so a mistyped date or an over-long
 * search comes back as an inline message on the page instead of a bare 400.
 */
export function parseAuditQuery (query: RawQuery): { filters: AuditFilters, before?: number, errors: Record<string, string> } {
  const filters: AuditFilters = {}
  const errors: Record<string, string> = {}
  for (const [name, max] of Object.entries(TEXT_FILTERS) as [keyof typeof TEXT_FILTERS, number][]) {
    const value = first(query[name])
    if (!value) continue
    filters[name] = value
    if (value.length > max) errors[name] = `Use at most ${max} characters.`
  }
  for (const name of DATE_FILTERS) {
    const value = first(query[name])
    if (!value) continue
    filters[name] = value
    if (!isCalendarDate(value)) errors[name] = 'Enter a date as YYYY-MM-DD, for example 2025-01-31.'
  }
  if (filters.from && filters.to && !errors.from && !errors.to && filters.from > filters.to) {
    errors.to = 'The end date is before the start date.'
  }
  const rawBefore = first(query.before)
  const before = /^[1-9]\d{0,15}$/.test(rawBefore) ? Number(rawBefore) : undefined
  return { filters, before, errors }
}

function filterParams (filters: AuditFilters): URLSearchParams {
  return new URLSearchParams(Object.entries(filters).filter(([, v]) => v) as [string, string][])
}

export default async function auditRoutes (app: FastifyInstance) {
  app.get('/audit', {
    preHandler: requireUser(ADMIN_ROLES)
  }, async (request: FastifyRequest<{ Querystring: RawQuery }>, reply) => {
    const { filters, before, errors } = parseAuditQuery(request.query ?? {})
    const invalid = Object.keys(errors).length > 0
    const page = invalid ? { rows: [], nextBefore: null } : await app.audit.list(request.workspace.id, filters, { before, limit: PAGE_SIZE })
    const params = filterParams(filters)
    const firstUrl = `/audit${params.size ? `?${params}` : ''}`
    if (page.nextBefore) params.set('before', String(page.nextBefore))
    const data = {
      title: 'Audit log',
      filters,
      errors,
      invalid,
      filtered: Object.keys(filters).length > 0,
      rows: page.rows,
      paged: Boolean(before),
      firstUrl,
      nextUrl: page.nextBefore ? `/audit?${params}` : null
    }
    reply.header('Vary', 'HX-Request, HX-Target')
    if (invalid) reply.code(422)
    // htmx asks for the next page of rows only (the "Load more" button), or the filter form and table.
    const target = request.headers['hx-target']
    if (target === 'audit-more' && !invalid) return reply.view('partials/audit-rows', { ...data, fragment: true })
    if (target === 'audit-panel') return reply.view('partials/audit-panel', { ...data, fragment: true })
    return reply.view('pages/audit', { ...data, csvUrl: `/audit.csv${filterParams(filters).size ? `?${filterParams(filters)}` : ''}` })
  })

  // The log as filtered, streamed page by page on the same keyset as the page (newest first).
  app.get('/audit.csv', {
    preHandler: requireUser(ADMIN_ROLES)
  }, async (request: FastifyRequest<{ Querystring: RawQuery }>, reply) => {
    const { filters, errors } = parseAuditQuery(request.query ?? {})
    const list = { invalid: Object.keys(errors).length > 0, errors }
    const workspaceId = request.workspace.id
    async function * batches () {
      let before: number | undefined
      do {
        const page = await app.audit.list(workspaceId, filters, { before, limit: CSV_BATCH })
        yield page.rows
        before = page.nextBefore ?? undefined
      } while (before !== undefined)
    }
    return sendCsv(request, reply, 'audit-log', list, AUDIT_COLUMNS, batches)
  })
}

const CSV_BATCH = 500
const AUDIT_COLUMNS: Array<CsvColumn<AuditRow>> = [
  { header: 'When', value: r => r.occurred_at },
  { header: 'Actor type', value: r => r.actor_type },
  { header: 'Actor', value: r => r.actor_label },
  { header: 'Action', value: r => r.action },
  { header: 'Target type', value: r => r.target_type },
  { header: 'Target', value: r => r.target_label },
  { header: 'Target id', value: r => r.target_id },
  { header: 'Outcome', value: r => r.outcome },
  { header: 'Changes', value: r => r.changes },
  { header: 'Details', value: r => r.details }
]
