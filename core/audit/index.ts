import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import type { Knex } from 'knex'
import { auditTrail, listAudit, recordAudit, writeAudited } from './log.ts'
import type { Actor, AuditEntry, AuditFilters } from './types.ts'
import { DeniedAttempts, type DeniedAttempt } from './denied.ts'

export * from './types.ts'
export { recordAudit, writeAudited, listAudit, auditTrail, DeniedAttempts, type DeniedAttempt }

export interface AuditService {
  record: (db: Knex | Knex.Transaction, workspaceId: string, actor: Actor, entries: AuditEntry | AuditEntry[]) => Promise<void>
  list: (workspaceId: string, filters: AuditFilters, page: { before?: number, limit: number }) => ReturnType<typeof listAudit>
  trail: (workspaceId: string, targetType: string, targetId: string, limit?: number) => ReturnType<typeof auditTrail>
  /** A 403 from a permission check (core/audit/denied.ts): throttled, and never failing the request. */
  denied: (request: FastifyRequest, workspaceId: string, actor: Actor, attempt: Omit<DeniedAttempt, 'method' | 'route' | 'path'>) => Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditService
  }
}

export default fp(async (app) => {
  const denied = new DeniedAttempts(app.db)
  app.decorate('audit', {
    denied: async (request, workspaceId, actor, attempt) => {
      try {
        await denied.record(workspaceId, actor, { ...attempt, method: request.method, route: request.routeOptions.url ?? request.url.split('?')[0], path: request.url.split('?')[0] })
      } catch (err) {
        request.log.error({ err }, 'could not audit a denied attempt')
      }
    },
    record: recordAudit,
    list: (workspaceId, filters, page) => listAudit(app.db, workspaceId, filters, page),
    trail: (workspaceId, targetType, targetId, limit) => auditTrail(app.db, workspaceId, targetType, targetId, limit)
  } satisfies AuditService)
}, { name: 'audit', dependencies: ['db'] })
