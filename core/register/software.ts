import type { Knex } from 'knex'
import type { Actor } from '../audit/index.ts'
import type { RegisterContext } from './change.ts'
import { NotFoundError } from './errors.ts'
import { editRow, insertRow, isUuid, page, targetOf, type Page, type VersionCheck } from './records.ts'
import { seatService } from './software-seats.ts'
import {
  SOFTWARE, validateSoftware, validateSoftwarePatch,
  type Software, type SoftwareInput, type SoftwarePatch, type SoftwareWithUsage
} from './software.schema.ts'

export type SoftwareService = ReturnType<typeof softwareService>

export function softwareService (ctx: RegisterContext) {
  const { db, run } = ctx
  return {
    // The product defines no event for a software record itself, only for its seats.
    async create (workspaceId: string, actor: Actor, input: SoftwareInput): Promise<Software> {
      const values = validateSoftware(input)
      return await run(workspaceId, actor, async trx => {
        const software = await insertRow(trx, SOFTWARE, workspaceId, values)
        return { result: software, audit: [{ action: 'software.created', target: targetOf(SOFTWARE, software) }] }
      })
    },

    async update (workspaceId: string, actor: Actor, id: string, patch: SoftwarePatch, opts: VersionCheck = {}): Promise<Software> {
      const values = validateSoftwarePatch(patch)
      return await run(workspaceId, actor, trx => editRow(trx, SOFTWARE, workspaceId, id, values, opts.expectedVersion, { action: 'software.updated' }))
    },

    async get (workspaceId: string, id: string): Promise<SoftwareWithUsage> {
      const row = isUuid(id) ? await withUsage(db, workspaceId).where('s.id', id).first() : undefined
      if (!row) throw new NotFoundError(SOFTWARE.noun, id)
      return usageFromDb(row)
    },

    async list (workspaceId: string, query: Page = {}): Promise<SoftwareWithUsage[]> {
      return (await page(withUsage(db, workspaceId).orderByRaw('lower(s.name), s.id'), query)).map(usageFromDb)
    },

    ...seatService(ctx)
  }
}

/** Software with the number of seats held now, counted by the database in the same query. */
function withUsage (db: Knex, workspaceId: string): Knex.QueryBuilder {
  return db('software as s')
    .select(SOFTWARE.columns.map(c => `s.${c}`))
    .select(db.raw(`(SELECT count(*) FROM software_assignments sa
      WHERE sa.workspace_id = s.workspace_id AND sa.software_id = s.id AND sa.revoked_at IS NULL)::int AS seats_assigned`))
    .where('s.workspace_id', workspaceId)
}

// fromDb keeps the extra column and converts the numeric ones.
const usageFromDb = (raw: Record<string, unknown>) => SOFTWARE.fromDb(raw) as SoftwareWithUsage
