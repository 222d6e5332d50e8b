import type { Knex } from 'knex'
import type { Actor } from '../audit/index.ts'
import type { RegisterContext } from './change.ts'
import { diff, isEmpty } from './changes.ts'
import { ValidationError, type FieldError } from './errors.ts'
import { HARDWARE, type Hardware } from './hardware.schema.ts'
import {
  PEOPLE, personLabel, validatePerson, validatePersonPatch, validateRole,
  type Person, type PersonInput, type PersonPatch, type PersonRole, type PersonStatus
} from './people.schema.ts'
import { editRow, findRow, insertRow, insertRowIfAbsent, isUuid, lockRow, page, targetOf, updateRow, type Page, type VersionCheck } from './records.ts'
import { SEAT_COLUMNS, type Seat } from './software.schema.ts'
import { datePairError } from './validate.ts'

export interface PeopleQuery extends Page { status?: PersonStatus }
export interface Holdings { hardware: Hardware[], seats: Array<Seat & { software_name: string }> }
export interface OffboardResult extends Holdings { person: Person }

export type PeopleService = ReturnType<typeof peopleService>

export function peopleService ({ db, run }: RegisterContext) {
  async function insertPerson (workspaceId: string, actor: Actor, input: PersonInput, ifEmailFree: boolean): Promise<Person | null> {
    const values = validatePerson(input)
    return await run(workspaceId, actor, async trx => {
      await checkPerson(trx, workspaceId, null, values)
      const audited = { actor, action: 'person.created' }
      return { result: ifEmailFree ? await insertRowIfAbsent(trx, PEOPLE, workspaceId, values, '(workspace_id, lower(email))', audited) : await insertRow(trx, PEOPLE, workspaceId, values, audited) }
    })
  }

  return {
    create: async (workspaceId: string, actor: Actor, input: PersonInput): Promise<Person> => (await insertPerson(workspaceId, actor, input, false))!,

    /** As create, but null (nothing written) when a person of the workspace already has the email. */
    createIfEmailFree: (workspaceId: string, actor: Actor, input: PersonInput): Promise<Person | null> => insertPerson(workspaceId, actor, input, true),

    async update (workspaceId: string, actor: Actor, id: string, patch: PersonPatch, opts: VersionCheck = {}): Promise<Person> {
      const values = validatePersonPatch(patch)
      return await run(workspaceId, actor, trx => editRow(trx, PEOPLE, workspaceId, id, values, opts.expectedVersion, {
        actor,
        action: 'person.updated',
        check: (trx, current, changed) => checkPerson(trx, workspaceId, current, changed)
      }))
    },

    get: (workspaceId: string, id: string): Promise<Person> => findRow(db, PEOPLE, workspaceId, id),

    /** What a person holds now: their assigned hardware and active seats. */
    holdings: (workspaceId: string, userId: string): Promise<Holdings> => holdingsOf(db, workspaceId, userId),

    async list (workspaceId: string, query: PeopleQuery = {}): Promise<Person[]> {
      const rows = page(db(PEOPLE.table).select(PEOPLE.columns).where({ workspace_id: workspaceId })
        .modify(q => { if (query.status) q.where({ status: query.status }) })
        .orderBy([{ column: 'last_name', nulls: 'last' }, { column: 'first_name', nulls: 'last' }, 'email', 'id']), query)
      return (await rows).map(PEOPLE.fromDb)
    },

    /**
     * Marks a person as gone (end date today unless already set) and reports what they still hold,
     * for recovery. Offboarding someone already offboarded writes nothing and reports the same.
     */
    async offboard (workspaceId: string, actor: Actor, id: string, opts: VersionCheck = {}): Promise<OffboardResult> {
      return await run(workspaceId, actor, async trx => {
        const current = await lockRow(trx, PEOPLE, workspaceId, id, opts.expectedVersion)
        const holdings = await holdingsOf(trx, workspaceId, id)
        if (current.status === 'offboarded') return { result: { person: current, ...holdings } }
        await keepActiveSuperAdmin(trx, workspaceId, current, 'offboarded')
        const person = await updateRow(trx, PEOPLE, workspaceId, id, { status: 'offboarded', end_date: trx.raw('coalesce(end_date, current_date)') })
        const changes = diff(current, { status: person.status, end_date: person.end_date })
        const details = { hardware: holdings.hardware.length, seats: holdings.seats.length }
        return {
          result: { person, ...holdings },
          audit: [{ action: 'person.offboarded', target: targetOf(PEOPLE, person), changes, details }],
          events: [{ type: 'user.offboarded', payload: { ...person, ...holdings, changes } }]
        }
      })
    },

    /** An offboarded or inactive person back to active, end date cleared: the same person, history kept. */
    async reactivate (workspaceId: string, actor: Actor, id: string, opts: VersionCheck = {}): Promise<Person> {
      return await run(workspaceId, actor, async trx => {
        const current = await lockRow(trx, PEOPLE, workspaceId, id, opts.expectedVersion)
        if (current.status === 'active') return { result: current }
        const person = await updateRow(trx, PEOPLE, workspaceId, id, { status: 'active', end_date: null })
        return { result: person, audit: [{ action: 'person.reactivated', target: targetOf(PEOPLE, person), changes: diff(current, { status: person.status, end_date: person.end_date }) }] }
      })
    },

    async changeRole (workspaceId: string, actor: Actor, id: string, role: PersonRole, opts: VersionCheck = {}): Promise<Person> {
      const values = validateRole({ role })
      return await run(workspaceId, actor, async trx => {
        const current = await lockRow(trx, PEOPLE, workspaceId, id, opts.expectedVersion)
        const changes = diff(current, values)
        if (isEmpty(changes)) return { result: current }
        if (current.role === 'super-admin' && current.status === 'active' && await lockOtherSuperAdmins(trx, workspaceId, id) === 0) {
          throw ValidationError.of('role', 'last_super_admin', 'cannot change: this is the last active super-admin of the workspace')
        }
        const person = await updateRow(trx, PEOPLE, workspaceId, id, values)
        return { result: person, audit: [{ action: 'person.role_changed', target: targetOf(PEOPLE, person), changes }] }
      })
    }
  }
}

/**
 * Refuses to take the last active super-admin out of active status (offboarded or inactive): the
 * workspace would be left with nobody who can change roles or settings.
 */
async function keepActiveSuperAdmin (trx: Knex.Transaction, workspaceId: string, current: Person, status: PersonStatus): Promise<void> {
  if (status === 'active' || current.role !== 'super-admin' || current.status !== 'active') return
  if (await lockOtherSuperAdmins(trx, workspaceId, current.id) > 0) return
  throw ValidationError.of('status', 'last_super_admin', `cannot become ${status}: this is the last active super-admin of the workspace; make someone else super-admin first`)
}

/**
 * Locks the other active super-admins and counts them. The lock makes two simultaneous demotions
 * queue: the second sees the first one's change and is refused, so a workspace always keeps one.
 */
async function lockOtherSuperAdmins (trx: Knex.Transaction, workspaceId: string, exceptId: string): Promise<number> {
  const rows = await trx(PEOPLE.table).select('id')
    .where({ workspace_id: workspaceId, role: 'super-admin', status: 'active' }).whereNot('id', exceptId)
    .forUpdate()
  return rows.length
}

/** The hardware still assigned to a person and their active seats, in two set-based reads. */
async function holdingsOf (trx: Knex | Knex.Transaction, workspaceId: string, userId: string): Promise<Holdings> {
  const hardware = await trx(HARDWARE.table).select(HARDWARE.columns)
    .where({ workspace_id: workspaceId, assigned_user_id: userId }).orderBy('asset_tag')
  const seats = await trx('software_assignments as sa').join('software as s', 's.id', 'sa.software_id')
    .select([...SEAT_COLUMNS.map(c => `sa.${c}`), 's.name as software_name'])
    .where({ 'sa.workspace_id': workspaceId, 'sa.user_id': userId }).whereNull('sa.revoked_at').orderBy('s.name')
  return { hardware: hardware.map(HARDWARE.fromDb), seats }
}

/** Rules that need the database or more than one field; all problems are reported together. */
async function checkPerson (trx: Knex.Transaction, workspaceId: string, current: Person | null, changed: Partial<Person>): Promise<void> {
  if (current && changed.status) await keepActiveSuperAdmin(trx, workspaceId, current, changed.status)
  const errors: FieldError[] = []
  const merged = { ...current, ...changed }
  if (changed.manager_id) {
    if (current && changed.manager_id === current.id) {
      errors.push({ field: 'manager_id', rule: 'self', message: 'cannot be the person themselves' })
    } else if (!await findPerson(trx, workspaceId, changed.manager_id)) {
      errors.push({ field: 'manager_id', rule: 'exists', message: 'must be a person in this workspace' })
    }
  }
  const dates = datePairError(merged, { field: 'start_date', label: 'start date' }, { field: 'end_date' }, { sameDay: true })
  if (dates !== null) errors.push(dates)
  if (errors.length > 0) throw new ValidationError(errors)
}

export type PersonSummary = Pick<Person, 'id' | 'email' | 'first_name' | 'last_name' | 'status'>

export async function findPerson (trx: Knex.Transaction, workspaceId: string, id: string, lock = false): Promise<PersonSummary | undefined> {
  if (!isUuid(id)) return undefined
  const query = trx(PEOPLE.table).select('id', 'email', 'first_name', 'last_name', 'status').where({ workspace_id: workspaceId, id })
  return await (lock ? query.forShare() : query).first()
}

/**
 * The person named by an input field, who must exist in the workspace (and be active, when asked).
 * The row is share-locked until commit, so a concurrent offboarding waits for this change and then
 * sees it among the person's holdings, or goes first and makes this check fail.
 */
export async function requirePerson (trx: Knex.Transaction, workspaceId: string, id: string, field: string, active: boolean): Promise<PersonSummary> {
  const person = await findPerson(trx, workspaceId, id, true)
  if (!person) throw ValidationError.of(field, 'exists', 'must be a person in this workspace')
  if (active && person.status !== 'active') {
    throw ValidationError.of(field, 'active', `must be an active person (${personLabel(person)} is ${person.status})`)
  }
  return person
}
