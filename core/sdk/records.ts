// Canonical records: what connectors return and the register's importers merge. Each model has a
// JSON Schema; a sync's upsert batches are validated against it before anything is written.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { unstorableFields } from '../boundary/unstorable.ts'
import { addRegisterFormats } from '../register/validate.ts'

export const MODELS = ['device', 'person', 'seat'] as const
export type Model = typeof MODELS[number]

/** A managed device (hardware). Fields left out or null are "not reported" and never overwrite. */
export interface DeviceRecord {
  /** The vendor's id of the device. */
  externalId: string
  /** The register's match key. Null or blank: the core skips the device (counted as skipped, not an error). */
  serial: string | null
  /** Suggested name on create (e.g. "Alice's MacBook Pro"); renames in Stocktake are preserved. */
  name?: string | null
  manufacturer?: string | null
  model?: string | null
  os?: string | null
  osVersion?: string | null
  /** Wi-Fi MAC, falling back to Ethernet: six pairs of hex digits. */
  macAddress?: string | null
  /** Matched exactly to an active person to assign the device. */
  assignedUserEmail?: string | null
  /** YYYY-MM-DD, from warranty lookups. */
  warrantyEnd?: string | null
  /** Raw specs (CPU, RAM, storage, …): stored as JSON, never over hand-edited fields. */
  specifications?: Record<string, unknown>
  /**
   * When the device last checked in with the MDM (ISO 8601 with a time zone). When a run reads
   * several records with one serial (a re-enrolled device, a repaired Mac), only the one that
   * checked in last reaches the register; a record without it loses to one with it.
   */
  checkedInAt?: string | null
}

/** A person from an HRIS or identity provider; matched on email. */
export interface PersonRecord {
  externalId: string
  email: string
  firstName?: string | null
  lastName?: string | null
  jobTitle?: string | null
  department?: string | null
  location?: string | null
  managerEmail?: string | null
  costCenter?: string | null
  /** YYYY-MM-DD */
  startDate?: string | null
  /** YYYY-MM-DD */
  endDate?: string | null
  status?: 'active' | 'inactive' | 'offboarded'
}

/** A seat of a SaaS tool held by someone (matched on email). */
export interface SeatRecord {
  externalId: string
  softwareName: string
  email: string
  /** ISO 8601 date-time of the holder's last activity, when the vendor reports it. */
  lastActiveAt?: string | null
}

export type CanonicalRecord = DeviceRecord | PersonRecord | SeatRecord

/** A resumable position in a sync: flat, JSON-serialisable. */
export type Checkpoint = Record<string, string | number | boolean>

export type SyncMessage =
  | { type: 'upsert', model: Model, records: CanonicalRecord[] }
  | { type: 'delete', model: Model, externalIds: string[] }
  | { type: 'checkpoint', value: Checkpoint }
  | { type: 'skip', externalId: string, reason: string }

const text = (max = 255) => ({ type: ['string', 'null'], maxLength: max })
const date = { type: ['string', 'null'], format: 'date' }
const id = { type: 'string', minLength: 1, maxLength: 255 }

export const RECORD_SCHEMAS: Record<Model, object> = {
  device: {
    type: 'object',
    additionalProperties: false,
    required: ['externalId', 'serial'],
    properties: {
      externalId: id,
      serial: { type: 'string', maxLength: 128, pattern: '\\S' },
      name: text(),
      manufacturer: text(),
      model: text(),
      os: text(),
      osVersion: text(),
      macAddress: { type: ['string', 'null'], pattern: '^[0-9A-Fa-f]{2}([:-]?)[0-9A-Fa-f]{2}(\\1[0-9A-Fa-f]{2}){4}$' },
      assignedUserEmail: { type: ['string', 'null'], format: 'email' },
      warrantyEnd: date,
      specifications: { type: 'object' },
      checkedInAt: { type: ['string', 'null'], format: 'date-time' }
    }
  },
  person: {
    type: 'object',
    additionalProperties: false,
    required: ['externalId', 'email'],
    properties: {
      externalId: id,
      email: { type: 'string', format: 'email' },
      firstName: text(),
      lastName: text(),
      jobTitle: text(),
      department: text(),
      location: text(),
      managerEmail: { type: ['string', 'null'], format: 'email' },
      costCenter: text(),
      startDate: date,
      endDate: date,
      status: { enum: ['active', 'inactive', 'offboarded'] }
    }
  },
  seat: {
    type: 'object',
    additionalProperties: false,
    required: ['externalId', 'softwareName', 'email'],
    properties: {
      externalId: id,
      softwareName: { type: 'string', minLength: 1, maxLength: 255 },
      email: { type: 'string', format: 'email' },
      lastActiveAt: { type: ['string', 'null'], format: 'date-time' }
    }
  }
}

const ajv = addRegisterFormats(new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }))
const validators = Object.fromEntries(MODELS.map(m => [m, ajv.compile(RECORD_SCHEMAS[m])])) as Record<Model, ValidateFunction>

function describe (e: ErrorObject): string {
  const params = e.params as Record<string, unknown>
  if (e.keyword === 'required') return `${String(params.missingProperty)} is required`
  if (e.keyword === 'additionalProperties') return `${String(params.additionalProperty)} is not a field of this model`
  const field = e.instancePath.slice(1) || 'record'
  if (e.keyword === 'pattern') return field === 'macAddress' ? `${field} must be six pairs of hex digits` : `${field} must not be blank`
  return `${field} ${e.message ?? 'is invalid'}`
}

/**
 * Validates one record against its model's canonical schema: null when valid, else the reason. A
 * record with text PostgreSQL cannot store (a NUL character) is refused on its own, so it never
 * fails the batch it came with.
 */
export function recordProblem (model: Model, record: unknown): string | null {
  const validate = validators[model]
  const problems = validate(record) ? [] : (validate.errors ?? []).map(describe)
  for (const { field, message } of unstorableFields(record, 'record')) problems.push(`${field} ${message}`)
  return problems.length === 0 ? null : problems.join('; ')
}

/**
 * Records the core passes over by rule rather than failing: a device without a serial (an
 * Autopilot-only or virtual registration) is not asset-trackable. Null when the record is not skipped.
 */
export function skipReason (model: Model, record: unknown): string | null {
  if (model !== 'device') return null
  const serial = (record as { serial?: unknown } | null)?.serial
  return serial === undefined || serial === null || (typeof serial === 'string' && serial.trim() === '') ? 'no serial number' : null
}

/** The fields compared to tell "updated" from "unchanged": every field but externalId, nulls dropped, keys sorted. */
export function canonicalFields (record: CanonicalRecord): string {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort)
    if (typeof value !== 'object' || value === null) return value
    return Object.fromEntries(Object.keys(value).sort()
      .filter(k => (value as Record<string, unknown>)[k] != null)
      .map(k => [k, sort((value as Record<string, unknown>)[k])]))
  }
  const { externalId: _id, ...fields } = record
  return JSON.stringify(sort(fields))
}

const YEAR_ONE = Date.parse('0001-01-01T00:00:00Z')

/**
 * A vendor's check-in time as a DeviceRecord's `checkedInAt`: an ISO 8601 date-time with a time
 * zone, UTC, or undefined when the value is not one (a blank, "never", a malformed date), so an
 * odd value costs the record its place among duplicates, never the record.
 */
export function checkInTime (value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim())) return undefined
  const time = Date.parse(value.trim())
  // Graph's 0001-01-01T00:00:00Z means never.
  return Number.isNaN(time) || time <= YEAR_ONE ? undefined : new Date(time).toISOString()
}

/**
 * Of several records of one serial, the one that checked in last (one without a check-in time
 * loses to one with it; ties keep the earlier): for a connector's serial lookup, as a run keeps.
 */
export function latestCheckIn (records: DeviceRecord[]): DeviceRecord | null {
  let latest: DeviceRecord | null = null
  for (const record of records) {
    if (latest === null || (record.checkedInAt != null && (latest.checkedInAt == null || Date.parse(record.checkedInAt) > Date.parse(latest.checkedInAt)))) latest = record
  }
  return latest
}
