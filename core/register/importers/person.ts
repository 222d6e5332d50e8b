import type { Knex } from 'knex'
import type { AuditEntry } from '../../audit/index.ts'
import type { NewEvent } from '../../events/index.ts'
import type { PersonRecord } from '../../sdk/records.ts'
import { diff, isEmpty } from '../changes.ts'
import { PEOPLE, type Person } from '../people.schema.ts'
import { targetOf } from '../records.ts'
import { updateMany } from './bulk.ts'
import { emptyBatch, lastByKey, type Importer } from './types.ts'

// Canonical field -> users column and its SQL type. The HRIS is the system of record for these;
// a field it does not report is kept.
const FIELDS = {
  firstName: ['first_name', 'text'],
  lastName: ['last_name', 'text'],
  jobTitle: ['job_title', 'text'],
  department: ['department', 'text'],
  location: ['location', 'text'],
  costCenter: ['cost_center', 'text'],
  startDate: ['start_date', 'date'],
  endDate: ['end_date', 'date'],
  status: ['status', 'text']
} as const

const UPDATE_COLUMNS: Record<string, string> = { ...Object.fromEntries(Object.values(FIELDS)), manager_id: 'uuid', source_ids: 'jsonb' }

function reported (record: PersonRecord, managerId: string | undefined): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const [field, [column]] of Object.entries(FIELDS)) {
    const value = record[field as keyof typeof FIELDS]
    if (value !== undefined && value !== null && value !== '') values[column] = value
  }
  if (managerId !== undefined) values.manager_id = managerId
  return values
}

const byEmail = (rows: Person[]) => new Map(rows.map(p => [p.email.toLowerCase(), p]))

/**
 * People, matched by email (case-insensitive). Unknown emails become employees; known people get
 * the fields the source reports, their manager resolved by email (also among people created in
 * the same batch). Moving to `offboarded` emits `user.offboarded` as offboarding by hand does.
 */
export const personImporter: Importer<PersonRecord> = {
  async upsert (trx, workspaceId, source, records) {
    const batch = emptyBatch()
    const { unique, duplicates } = lastByKey(records, r => r.email.toLowerCase())
    batch.skipped += duplicates.length
    const emails = new Set([...unique.keys(), ...[...unique.values()].flatMap(r => r.managerEmail ? [r.managerEmail.toLowerCase()] : [])])
    const known = byEmail(await loadPeople(trx, workspaceId, [...emails]))

    const fresh = [...unique.values()].filter(r => !known.has(r.email.toLowerCase()))
    const created = fresh.length === 0
      ? []
      : (await trx(PEOPLE.table).insert(fresh.map(r => ({
          workspace_id: workspaceId,
          email: r.email,
          ...reported(r, undefined),
          role: 'employee',
          source: source.pluginId,
          source_ids: JSON.stringify({ [source.pluginId]: r.externalId })
        }))).returning(PEOPLE.columns as string[])).map(PEOPLE.fromDb)
    const createdIds = new Set(created.map(p => p.id))
    for (const person of created) known.set(person.email.toLowerCase(), person)

    const kept = await lastSuperAdminKept(trx, workspaceId, [...unique.values()].flatMap(record => {
      const current = known.get(record.email.toLowerCase())!
      return isActiveSuperAdmin(current) && record.status !== undefined && record.status !== 'active' ? [current.id] : []
    }))

    const updates: Array<Record<string, unknown> & { id: string }> = []
    const changed = new Map<string, ReturnType<typeof diff>>()
    for (const record of unique.values()) {
      const current = known.get(record.email.toLowerCase())!
      const manager = record.managerEmail ? known.get(record.managerEmail.toLowerCase())?.id : undefined
      const values = reported(record, manager === current.id ? undefined : manager)
      if (current.id === kept) {
        delete values.status
        batch.errors.push({ externalId: record.externalId, reason: `${current.email} stays active: the last active super-admin of the workspace cannot become ${record.status}; make someone else super-admin first` })
      }
      const changes = diff(current, values)
      const linked = current.source_ids[source.pluginId] === record.externalId
      if (!createdIds.has(current.id)) {
        if (isEmpty(changes)) batch.unchanged++
        else {
          batch.updated++
          changed.set(current.id, changes)
          batch.planned.push({ action: 'update', externalId: record.externalId, label: PEOPLE.label(current), changes })
        }
      }
      if (!isEmpty(changes) || !linked) {
        const final = Object.fromEntries(Object.keys(UPDATE_COLUMNS).map(c => [c, (current as unknown as Record<string, unknown>)[c]]))
        updates.push({ ...final, ...values, id: current.id, source_ids: { [source.pluginId]: record.externalId } })
      }
    }
    const updated = await updateMany(trx, PEOPLE, workspaceId, UPDATE_COLUMNS, updates)

    const audit: AuditEntry[] = []
    const events: NewEvent[] = []
    for (const person of created) {
      batch.created++
      const externalId = unique.get(person.email.toLowerCase())!.externalId
      batch.planned.push({ action: 'create', externalId, label: PEOPLE.label(person), changes: diff({}, { email: person.email, first_name: person.first_name, last_name: person.last_name, status: person.status }) })
      audit.push({ action: 'person.created', target: targetOf(PEOPLE, person), details: { source: source.pluginId } })
    }
    for (const person of updated) {
      const changes = changed.get(person.id)
      if (!changes) continue
      audit.push({ action: changes.status?.new === 'offboarded' ? 'person.offboarded' : 'person.updated', target: targetOf(PEOPLE, person), changes, details: { source: source.pluginId } })
      if (changes.status?.new === 'offboarded') events.push({ type: 'user.offboarded', payload: { ...person, changes, import: { plugin: source.pluginId } } })
    }
    return { result: batch, audit, events }
  },

  // Someone gone from the HRIS is marked inactive (not offboarded: that is a decision with recovery
  // work), except the workspace's last active super-admin.
  async remove (trx, workspaceId, source, externalIds) {
    if (externalIds.length === 0) return { result: 0 }
    const gone = () => trx(PEOPLE.table).where({ workspace_id: workspaceId, status: 'active' }).whereRaw('source_ids ->> ? = any(?)', [source.pluginId, externalIds])
    const leaving: string[] = (await gone().where({ role: 'super-admin' }).forUpdate().select('id')).map((r: { id: string }) => r.id)
    const kept = await lastSuperAdminKept(trx, workspaceId, leaving)
    const rows: Person[] = (await gone().modify(q => { if (kept) q.whereNot({ id: kept }) })
      .update({ status: 'inactive', version: trx.raw('version + 1'), updated_at: trx.fn.now() })
      .returning(PEOPLE.columns as string[])).map(PEOPLE.fromDb)
    return {
      result: rows.length,
      audit: rows.map(p => ({ action: 'person.updated', target: targetOf(PEOPLE, p), changes: { status: { old: 'active', new: 'inactive' } }, details: { source: source.pluginId } }))
    }
  }
}

async function loadPeople (trx: Knex.Transaction, workspaceId: string, emails: string[]): Promise<Person[]> {
  if (emails.length === 0) return []
  return (await trx(PEOPLE.table).where({ workspace_id: workspaceId }).whereRaw('lower(email) = any(?)', [emails])
    .forUpdate().select(PEOPLE.columns)).map(PEOPLE.fromDb)
}

const isActiveSuperAdmin = (person: Person) => person.role === 'super-admin' && person.status === 'active'

/**
 * When every active super-admin of the workspace is among `leaving` (ids of active super-admins
 * the source takes out of active status), the one of them who stays active; else null. Locks the
 * others, as the register does, so a concurrent change cannot remove the last one either.
 */
async function lastSuperAdminKept (trx: Knex.Transaction, workspaceId: string, leaving: string[]): Promise<string | null> {
  if (leaving.length === 0) return null
  const others = await trx(PEOPLE.table).select('id').where({ workspace_id: workspaceId, role: 'super-admin', status: 'active' })
    .whereNotIn('id', leaving).forUpdate()
  return others.length === 0 ? [...leaving].sort()[0] : null
}
