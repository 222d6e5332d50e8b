import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { recordAudit, type Actor, type AuditEntry } from '../audit/index.ts'
import { isUniqueViolation } from '../db/index.ts'
import type { NewEvent } from '../events/index.ts'
import { ValidationError } from './errors.ts'

/** What a unit of work wrote: its result, and the audit entries and events that go with it. */
export interface Change<T> {
  result: T
  audit?: AuditEntry[]
  events?: NewEvent[]
}

export type Work<T> = (trx: Knex.Transaction) => Promise<Change<T>>

/** Runs work in one transaction with its audit entries and outbox events: all of it commits or none. */
export type Run = <T>(workspaceId: string, actor: Actor, work: Work<T>, unique?: Record<string, string>) => Promise<T>

/** The register's view of the app: reads go to `db`, writes through `run`. */
export interface RegisterContext {
  db: Knex
  run: Run
}

// Unique indexes of the register tables -> the input field and the message a caller sees.
const UNIQUE_FIELDS: Record<string, [field: string, message: string]> = {
  users_workspace_email_key: ['email', 'is already used by another person in this workspace'],
  hardware_workspace_serial_key: ['serial', 'is already used by other hardware in this workspace (serial numbers are compared ignoring case)'],
  hardware_workspace_asset_tag_key: ['asset_tag', 'is already used by other hardware in this workspace'],
  software_workspace_name_key: ['name', 'is already used by other software in this workspace'],
  software_assignments_active_holder_key: ['user_id', 'already holds an active seat of this software']
}

export function createRun (app: FastifyInstance): Run {
  return async (workspaceId, actor, work, unique = {}) => {
    try {
      return await app.db.transaction(trx => runIn(app, trx)(workspaceId, actor, work))
    } catch (err) {
      throw asValidationError(err, unique) ?? err
    }
  }
}

/**
 * Work in a transaction the caller already holds (an inbound plugin's, with its own tables): the
 * audit entries and events are written in it, and commit with everything else or not at all.
 */
export function runIn (app: FastifyInstance, trx: Knex.Transaction): Run {
  return async (workspaceId, actor, work) => {
    const change = await work(trx)
    await recordAudit(trx, workspaceId, actor, change.audit ?? [])
    await app.events.emit(trx, workspaceId, change.events ?? [])
    return change.result
  }
}

/** A unique violation (raised by Postgres, so race-safe) as the ValidationError of its field. */
export function asValidationError (err: unknown, unique: Record<string, string> = {}): ValidationError | undefined {
  if (!isUniqueViolation(err)) return undefined
  const constraint = (err as { constraint?: string }).constraint ?? ''
  const known = UNIQUE_FIELDS[constraint]
  if (!known) return undefined
  return ValidationError.of(unique[constraint] ?? known[0], 'unique', known[1])
}
