import type { Knex } from 'knex'
import { writeAudited, type Actor, type AuditEntry, type Changes } from '../audit/index.ts'
import type { EventType } from '../events/index.ts'
import type { Change } from './change.ts'
import { diff, isEmpty, newValues } from './changes.ts'
import { ConflictError, NotFoundError } from './errors.ts'
import type { Kind } from './kind.ts'

export type { Kind } from './kind.ts'

export interface Versioned { id: string, version: number }

export interface Page { limit?: number, offset?: number }

/** Optimistic concurrency: the version the caller last read; a write to any other version is a ConflictError. */
export interface VersionCheck { expectedVersion?: number }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value)

/** Limit and offset within sane bounds (50 by default, at most 500). */
export function page<Q extends Knex.QueryBuilder> (query: Q, { limit = 50, offset = 0 }: Page): Q {
  return query.limit(Math.min(Math.max(Math.trunc(limit) || 50, 1), 500)).offset(Math.max(Math.trunc(offset) || 0, 0)) as Q
}

export function targetOf<Row extends Versioned> (kind: Kind<Row>, row: Row): NonNullable<AuditEntry['target']> {
  return { type: kind.target, id: row.id, label: kind.label(row) }
}

/** One record of the workspace; another workspace's record is as missing as an unknown id. */
export async function findRow<Row> (db: Knex | Knex.Transaction, kind: Kind<Row>, workspaceId: string, id: string): Promise<Row> {
  const raw = isUuid(id) ? await db(kind.table).select(kind.columns).where({ workspace_id: workspaceId, id }).first() : undefined
  if (!raw) throw new NotFoundError(kind.noun, id)
  return kind.fromDb(raw)
}

/** Reads and locks a record for a change, refusing it when it is not at the version the caller saw. */
export async function lockRow<Row extends Versioned> (trx: Knex.Transaction, kind: Kind<Row>, workspaceId: string, id: string, expectedVersion?: number): Promise<Row> {
  const raw = isUuid(id) ? await trx(kind.table).select(kind.columns).where({ workspace_id: workspaceId, id }).forUpdate().first() : undefined
  if (!raw) throw new NotFoundError(kind.noun, id)
  const row = kind.fromDb(raw)
  if (expectedVersion !== undefined && row.version !== expectedVersion) throw new ConflictError(kind.noun)
  return row
}

/** Who makes a change and the audit entry it gets, written in the same statement as the change. */
export interface Audited {
  actor: Actor
  action: string
  /** The record's label as the entry names it. */
  label: string
  changes?: Changes
}

/** A write … RETURNING the kind's columns, with its audit entry when given, as the record (null when it wrote no row). */
async function writeRow<Row> (trx: Knex.Transaction, kind: Kind<Row>, workspaceId: string, write: Knex.QueryBuilder, audited?: Audited): Promise<Row | null> {
  const [raw] = audited
    ? await writeAudited(trx, write, workspaceId, audited.actor, { action: audited.action, target: { type: kind.target, label: audited.label }, changes: audited.changes })
    : await write
  return raw ? kind.fromDb(raw) : null
}

function insertion<Row> (trx: Knex.Transaction, kind: Kind<Row>, workspaceId: string, values: object) {
  return trx(kind.table).insert({ ...values, workspace_id: workspaceId }).returning(kind.columns as string[])
}

/** Inserts a record; with `audited` ({actor, action}), its audit entry in the same statement. */
export async function insertRow<Row> (trx: Knex.Transaction, kind: Kind<Row>, workspaceId: string, values: object, audited?: Omit<Audited, 'label'>): Promise<Row> {
  return (await writeRow(trx, kind, workspaceId, insertion(trx, kind, workspaceId, values), audited && { ...audited, label: kind.label(values as Row) }))!
}

/**
 * Inserts a record unless another already holds its key in the unique index on `arbiter` (its
 * columns or expressions as ON CONFLICT names them, e.g. `(workspace_id, lower(email))`): null
 * then, with nothing written, audited or aborted — one statement where a lookup and an insert
 * were two. Any other unique violation is raised as usual.
 */
export async function insertRowIfAbsent<Row> (trx: Knex.Transaction, kind: Kind<Row>, workspaceId: string, values: object, arbiter: string, audited: Omit<Audited, 'label'>): Promise<Row | null> {
  const write = insertion(trx, kind, workspaceId, values).onConflict(trx.raw(arbiter)).ignore()
  return await writeRow(trx, kind, workspaceId, write, { ...audited, label: kind.label(values as Row) })
}

/** Writes values to a record, moving its version on; with `audited`, its audit entry in the same statement. */
export async function updateRow<Row> (trx: Knex.Transaction, kind: Kind<Row>, workspaceId: string, id: string, values: object, audited?: Audited): Promise<Row> {
  const write = trx(kind.table).where({ workspace_id: workspaceId, id })
    .update({ ...values, version: trx.raw('version + 1'), updated_at: trx.fn.now() })
    .returning(kind.columns as string[])
  return (await writeRow(trx, kind, workspaceId, write, audited))!
}

export interface EditSpec<Row> {
  /** Who changes it: the audit entry is written with the change. */
  actor: Actor
  /** The audit action, e.g. `hardware.updated`. */
  action: string
  /** The outbox event, when the product defines one for this change. */
  event?: EventType
  /** Checks that need the database or the current record; throws a ValidationError. */
  check?: (trx: Knex.Transaction, current: Row, patch: Partial<Row>) => Promise<void> | void
}

/**
 * The update flow shared by every record: lock at the expected version, keep only the fields that
 * really change, write them with their audit entry (one statement), and describe the change for
 * the outbox. A patch that changes nothing writes nothing.
 */
export async function editRow<Row extends Versioned> (trx: Knex.Transaction, kind: Kind<Row>, workspaceId: string, id: string,
  patch: NoInfer<Partial<Row>>, expectedVersion: number | undefined, spec: EditSpec<Row>): Promise<Change<Row>> {
  const current = await lockRow(trx, kind, workspaceId, id, expectedVersion)
  const changes = diff(current, patch)
  if (isEmpty(changes)) return { result: current }
  const values = newValues(changes) as Partial<Row>
  await spec.check?.(trx, current, values)
  const label = kind.label({ ...current, ...values })
  const updated = await updateRow(trx, kind, workspaceId, id, values, { actor: spec.actor, action: spec.action, label, changes })
  return {
    result: updated,
    events: spec.event ? [{ type: spec.event, payload: { ...updated as Record<string, unknown>, changes } }] : []
  }
}
