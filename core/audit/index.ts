import fp from 'fastify-plugin'
import type { Knex } from 'knex'
import { auditTrail, listAudit, recordAudit, writeAudited } from './log.ts'
import type { Actor, AuditEntry, AuditFilters } from './types.ts'

export * from './types.ts'
export { recordAudit, writeAudited, listAudit, auditTrail }

export interface AuditService {
  record: (db: Knex | Knex.Transaction, workspaceId: string, actor: Actor, entries: AuditEntry | AuditEntry[]) => Promise<void>
  list: (workspaceId: string, filters: AuditFilters, page: { before?: number, limit: number }) => ReturnType<typeof listAudit>
  trail: (workspaceId: string, targetType: string, targetId: string, limit?: number) => ReturnType<typeof auditTrail>
}

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditService
  }
}

export default fp(async (app) => {
  app.decorate('audit', {
    record: recordAudit,
    list: (workspaceId, filters, page) => listAudit(app.db, workspaceId, filters, page),
    trail: (workspaceId, targetType, targetId, limit) => auditTrail(app.db, workspaceId, targetType, targetId, limit)
  } satisfies AuditService)
}, { name: 'audit', dependencies: ['db'] })
