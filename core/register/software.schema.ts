import type { Kind } from './records.ts'
import { count, date, email, id, money, objectSchema, optionalText, patchSchema, text, validator } from './validate.ts'

export interface Software {
  id: string
  workspace_id: string
  name: string
  vendor: string | null
  seats_purchased: number
  cost_per_seat: number | null
  renewal_date: string | null
  manual_seat_count: number | null
  source: string
  version: number
  created_at: Date
  updated_at: Date
}

/**
 * A software record with the number of seats held now, and of those the idle ones (IDLE_SEAT);
 * what it costs a month (every purchased seat; null without a cost per seat) and in which currency.
 */
export interface SoftwareWithUsage extends Software {
  seats_assigned: number
  seats_idle: number
  /** Held seats used in the last IDLE_SEAT_DAYS days. */
  seats_active: number
  monthly_spend: number | null
  currency: string
}

export interface Seat {
  id: string
  workspace_id: string
  software_id: string
  user_id: string | null
  external_email: string | null
  last_active_at: Date | null
  source: string
  assigned_at: Date
  revoked_at: Date | null
}

type Editable = Omit<Software, 'id' | 'workspace_id' | 'version' | 'created_at' | 'updated_at'>
export type SoftwareInput = Partial<Editable> & { name: string }
export type SoftwarePatch = Partial<Editable>

export const SOFTWARE: Kind<Software> = {
  table: 'software',
  noun: 'Software',
  target: 'software',
  columns: ['id', 'workspace_id', 'name', 'vendor', 'seats_purchased', 'cost_per_seat', 'renewal_date', 'manual_seat_count',
    'source', 'version', 'created_at', 'updated_at'],
  fromDb: raw => ({ ...raw, cost_per_seat: raw.cost_per_seat == null ? null : Number(raw.cost_per_seat) }) as unknown as Software,
  label: s => s.name
}

export const SEAT_COLUMNS = ['id', 'workspace_id', 'software_id', 'user_id', 'external_email', 'last_active_at', 'source', 'assigned_at', 'revoked_at']

/** The editable fields' schemas, shared with the API's request schemas. */
export const SOFTWARE_PROPERTIES = {
  name: text(),
  vendor: optionalText(),
  seats_purchased: count(),
  cost_per_seat: money,
  renewal_date: date,
  manual_seat_count: count(true),
  source: text(64)
}

export const validateSoftware = validator<SoftwareInput>(objectSchema(SOFTWARE_PROPERTIES, ['name']))
export const validateSoftwarePatch = validator<SoftwarePatch>(patchSchema(objectSchema(SOFTWARE_PROPERTIES)))

/** Who holds a seat: a person of the workspace, or an outside address (a guest, a contractor). */
export type SeatHolder = { userId: string } | { externalEmail: string }
export interface SeatOptions { lastActiveAt?: string | Date | null, source?: string }

export const SEAT_PROPERTIES = {
  user_id: id,
  external_email: email,
  last_active_at: { type: ['string', 'null'], format: 'date-time' },
  source: text(64)
}

export const validateSeat = validator<{ user_id?: string, external_email?: string, last_active_at?: string | null, source?: string }>(
  objectSchema(SEAT_PROPERTIES))
