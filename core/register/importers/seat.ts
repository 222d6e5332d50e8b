import type { Knex } from 'knex'
import type { NewEvent } from '../../events/index.ts'
import type { SeatRecord } from '../../sdk/records.ts'
import { SEAT_COLUMNS, SOFTWARE, type Seat, type Software } from '../software.schema.ts'
import { targetOf } from '../records.ts'
import { peopleByEmail } from './bulk.ts'
import { emptyBatch, lastByKey, type Importer, type ImportSource } from './types.ts'

type Holder = { user_id: string | null, external_email: string | null }

const holderKey = (softwareId: string, h: Holder) => `${softwareId}|${h.user_id ?? h.external_email!.toLowerCase()}`
const sameInstant = (a: Date | string | null, b: string | null | undefined) =>
  (a === null ? null : new Date(a).getTime()) === (b == null ? null : new Date(b).getTime())

/**
 * Seats of SaaS tools: software matched by name (created when new), holders by email (a person of
 * the workspace, else an outside address). A new holder gets a seat; a known one gets its last
 * activity. The vendor's id is kept so a `delete` can revoke the seat.
 */
export const seatImporter: Importer<SeatRecord> = {
  async upsert (trx, workspaceId, source, records) {
    const batch = emptyBatch()
    const software = await ensureSoftware(trx, workspaceId, source, records.map(r => r.softwareName))
    const people = await peopleByEmail(trx, workspaceId, records.map(r => r.email), false)
    const holderOf = (r: SeatRecord): Holder => {
      const userId = people.get(r.email.toLowerCase())?.id
      return userId ? { user_id: userId, external_email: null } : { user_id: null, external_email: r.email }
    }
    const { unique, duplicates } = lastByKey(records, r => holderKey(software.get(r.softwareName.toLowerCase())!.id, holderOf(r)))
    batch.skipped += duplicates.length

    const active: Seat[] = await trx('software_assignments').where({ workspace_id: workspaceId }).whereNull('revoked_at')
      .whereIn('software_id', [...new Set([...software.values()].map(s => s.id))]).forUpdate().select([...SEAT_COLUMNS, 'external_id'])
    const current = new Map(active.map(seat => [holderKey(seat.software_id, seat), seat as Seat & { external_id: string | null }]))

    const inserts: object[] = []
    const touches: Array<{ id: string, last_active_at: string | null, external_id: string }> = []
    for (const [key, record] of unique) {
      const title = software.get(record.softwareName.toLowerCase())!
      const seat = current.get(key)
      if (!seat) {
        inserts.push({ workspace_id: workspaceId, software_id: title.id, ...holderOf(record), last_active_at: record.lastActiveAt ?? null, source: source.pluginId, external_id: record.externalId })
        batch.planned.push({ action: 'create', externalId: record.externalId, label: `${title.name}: ${record.email}`, changes: { holder: { old: null, new: record.email } } })
        continue
      }
      const activityChanged = record.lastActiveAt !== undefined && !sameInstant(seat.last_active_at, record.lastActiveAt)
      if (activityChanged) {
        batch.updated++
        batch.planned.push({ action: 'update', externalId: record.externalId, label: `${title.name}: ${record.email}`, changes: { last_active_at: { old: seat.last_active_at, new: record.lastActiveAt } } })
      } else batch.unchanged++
      if (activityChanged || seat.external_id !== record.externalId) {
        touches.push({ id: seat.id, last_active_at: activityChanged ? record.lastActiveAt ?? null : seat.last_active_at && new Date(seat.last_active_at).toISOString(), external_id: record.externalId })
      }
    }
    if (touches.length > 0) {
      await trx.raw(`UPDATE software_assignments AS s SET last_active_at = v.last_active_at, external_id = v.external_id
        FROM jsonb_to_recordset(?::jsonb) AS v(id uuid, last_active_at timestamptz, external_id text)
        WHERE s.workspace_id = ? AND s.id = v.id`, [JSON.stringify(touches), workspaceId])
    }
    const created: Seat[] = inserts.length === 0 ? [] : await trx('software_assignments').insert(inserts).returning(SEAT_COLUMNS)
    batch.created += created.length
    const titles = new Map([...software.values()].map(s => [s.id, s]))
    return { result: batch, ...seatChanges(created, titles, 'software.assigned', source) }
  },

  async remove (trx, workspaceId, source, externalIds) {
    if (externalIds.length === 0) return { result: 0 }
    const revoked: Seat[] = await trx('software_assignments')
      .where({ workspace_id: workspaceId, source: source.pluginId }).whereNull('revoked_at').whereIn('external_id', externalIds)
      .update({ revoked_at: trx.fn.now() }).returning(SEAT_COLUMNS)
    if (revoked.length === 0) return { result: 0 }
    const titles = new Map((await trx(SOFTWARE.table).where({ workspace_id: workspaceId })
      .whereIn('id', [...new Set(revoked.map(s => s.software_id))]).select(SOFTWARE.columns)).map(s => [s.id, SOFTWARE.fromDb(s)]))
    return { result: revoked.length, ...seatChanges(revoked, titles, 'software.revoked', source) }
  }
}

function seatChanges (seats: Seat[], titles: Map<string, Software>, type: 'software.assigned' | 'software.revoked', source: ImportSource) {
  const audit = seats.map(seat => ({
    action: type,
    target: targetOf(SOFTWARE, titles.get(seat.software_id)!),
    details: { seat_id: seat.id, user_id: seat.user_id, external_email: seat.external_email, source: source.pluginId }
  }))
  const events: NewEvent[] = seats.map(seat => {
    const title = titles.get(seat.software_id)!
    return { type, payload: { ...seat, software: { id: title.id, name: title.name, vendor: title.vendor }, import: { plugin: source.pluginId } } }
  })
  return { audit, events }
}

/** The titles by lower-cased name, creating the ones not in the register yet (one statement each way). */
async function ensureSoftware (trx: Knex.Transaction, workspaceId: string, source: ImportSource, names: string[]): Promise<Map<string, Software>> {
  const distinct = [...new Map(names.map(n => [n.toLowerCase(), n])).values()]
  await trx.raw(`INSERT INTO software (workspace_id, name, source) SELECT ?, n, ? FROM unnest(?::text[]) AS n
    ON CONFLICT (workspace_id, lower(name)) DO NOTHING`, [workspaceId, source.pluginId, distinct])
  const rows = (await trx(SOFTWARE.table).where({ workspace_id: workspaceId }).whereRaw('lower(name) = any(?)', [distinct.map(n => n.toLowerCase())])
    .select(SOFTWARE.columns)).map(SOFTWARE.fromDb)
  return new Map(rows.map(s => [s.name.toLowerCase(), s]))
}
