import {
  HARDWARE_PROPERTIES, PERSON_PROPERTIES, PERSON_ROLES, REQUEST_STATUSES, SOFTWARE_PROPERTIES, type PropertySchema
} from '../register/index.ts'
import { ACTOR_TYPES } from '../audit/types.ts'
import type { Ability } from './abilities.ts'
import { PROBLEM_TYPE } from './problem.ts'

// The API's JSON Schemas: shared record schemas (added once with addSchema, referenced as
// `Name#`, rendered as components in the OpenAPI document) and the helpers each route file uses
// to describe its params, query, body and responses.

type Schema = Record<string, unknown>

export const uuid = { type: 'string', format: 'uuid' } as const
const dateTime = { type: 'string', format: 'date-time' } as const
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const
const nullableUuid = { type: ['string', 'null'], format: 'uuid' } as const
export const versionSchema = { type: 'integer', minimum: 1, description: 'The version read (optimistic concurrency); the If-Match header does the same.' } as const

/** A register field as a response property: free-form objects are written out whole. */
function output (properties: Record<string, PropertySchema | Schema>): Record<string, Schema> {
  return Object.fromEntries(Object.entries(properties).map(([key, p]) => [key, p.type === 'object' ? { ...p, additionalProperties: true } : p]))
}

function record ($id: string, description: string, properties: Record<string, PropertySchema | Schema>): Schema {
  const props = output(properties)
  return { $id, type: 'object', description, properties: props, required: Object.keys(props), additionalProperties: false }
}

const stamps = { version: { type: 'integer', minimum: 1 }, created_at: dateTime, updated_at: dateTime }

const FieldError = {
  $id: 'FieldError',
  type: 'object',
  description: 'One problem with one field: `rule` is a stable code (required, unknown, format, enum, maximum, unique, exists, transition…).',
  properties: { field: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' } },
  required: ['field', 'rule', 'message'],
  additionalProperties: false
}

const Problem = {
  $id: 'Problem',
  type: 'object',
  description: 'An error (RFC 9457 problem details), sent as application/problem+json.',
  properties: {
    type: { type: 'string', description: 'A URN naming the kind of problem, e.g. urn:stocktake:problem:validation' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: { type: 'array', items: { $ref: 'FieldError#' } },
    missing_abilities: { type: 'array', items: { type: 'string' }, description: 'On a 403: the abilities the token lacks.' }
  },
  required: ['type', 'title', 'status', 'detail', 'errors']
}

const Hardware = record('Hardware', 'A piece of hardware. Assignment fields change only through assign and recover.', {
  id: uuid,
  ...HARDWARE_PROPERTIES,
  asset_tag: { type: 'string' },
  assigned_user_id: nullableUuid,
  assigned_at: nullableDateTime,
  acknowledged_at: nullableDateTime,
  acknowledgement_note: { type: ['string', 'null'] },
  ...stamps
})

const Person = record('User', 'A person of the workspace (employees and admins).', {
  id: uuid, ...PERSON_PROPERTIES, role: { type: 'string', enum: [...PERSON_ROLES] }, ...stamps
})

const Software = record('Software', 'A software title, with the number of seats held now, how many of those were used in the last 30 days and how many are idle (held for 30 days or more and not used in the last 30, or never); and what it costs a month.', {
  id: uuid,
  ...SOFTWARE_PROPERTIES,
  seats_assigned: { type: 'integer' },
  seats_active: { type: 'integer', description: 'Held seats used in the last 30 days.' },
  seats_idle: { type: 'integer' },
  monthly_spend: { type: ['number', 'null'], readOnly: true, description: 'cost_per_seat × seats_purchased: every purchased seat is paid for, assigned or not; null without a cost per seat. In `currency`.' },
  currency: { type: 'string', readOnly: true, description: 'The workspace currency (ISO 4217) of cost_per_seat and monthly_spend, set by a super admin in Settings.' },
  ...stamps
})

const Seat = record('Assignment', 'A seat of software held by a person or an outside email address; revoked seats keep revoked_at.', {
  id: uuid,
  software_id: uuid,
  user_id: nullableUuid,
  external_email: { type: ['string', 'null'] },
  last_active_at: nullableDateTime,
  source: { type: 'string' },
  assigned_at: dateTime,
  revoked_at: nullableDateTime
})

const AssetRequest = record('AssetRequest', 'A request for hardware: created, then approved or rejected, and fulfilled by assigning hardware.', {
  id: uuid,
  requester_id: uuid,
  category: { type: 'string' },
  description: { type: ['string', 'null'] },
  status: { type: 'string', enum: [...REQUEST_STATUSES] },
  decided_by: nullableUuid,
  decided_at: nullableDateTime,
  rejection_reason: { type: ['string', 'null'] },
  fulfilled_hardware_id: nullableUuid,
  fulfilled_at: nullableDateTime,
  ...stamps
})

const AuditEntry = record('AuditEntry', 'One entry of the append-only audit log.', {
  id: { type: 'integer' },
  occurred_at: dateTime,
  actor_type: { type: 'string', enum: [...ACTOR_TYPES] },
  actor_id: { type: ['string', 'null'] },
  actor_label: { type: 'string' },
  action: { type: 'string' },
  target_type: { type: ['string', 'null'] },
  target_id: { type: ['string', 'null'] },
  target_label: { type: ['string', 'null'] },
  outcome: { type: 'string', enum: ['success', 'failure', 'denied'] },
  changes: { type: ['object', 'null'], additionalProperties: true },
  details: { type: ['object', 'null'], additionalProperties: true },
  request_id: { type: ['string', 'null'] }
})

const HeldSeat = {
  $id: 'HeldSeat',
  type: 'object',
  properties: { ...(Seat.properties as Schema), software_name: { type: 'string' } },
  required: [...(Seat.required as string[]), 'software_name']
}

const Offboarding = {
  $id: 'Offboarding',
  type: 'object',
  description: 'The offboarded person and what they still hold, to recover.',
  properties: {
    person: { $ref: 'User#' },
    hardware: { type: 'array', items: { $ref: 'Hardware#' } },
    seats: { type: 'array', items: { $ref: 'HeldSeat#' } }
  },
  required: ['person', 'hardware', 'seats']
}

const Webhook = record('Webhook', 'A webhook subscription: signed POSTs of the chosen events to `url`. The secret is shown only when it is created.', {
  id: uuid,
  url: { type: 'string', format: 'uri' },
  events: { type: 'array', items: { type: 'string' }, description: 'Event types, or `*` for every event.' },
  active: { type: 'boolean' },
  disabled_reason: { type: ['string', 'null'], description: 'Why Stocktake switched it off (failing for days); cleared when it is switched on again.' },
  failing_since: nullableDateTime,
  created_at: dateTime,
  updated_at: dateTime
})

const WebhookDelivery = record('WebhookDelivery', 'One event sent (or being sent) to one subscription; `event_id` is the `webhook-id` header.', {
  id: uuid,
  subscription_id: uuid,
  event_id: uuid,
  event_type: { type: 'string' },
  status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] },
  attempts: { type: 'integer' },
  last_status_code: { type: ['integer', 'null'] },
  last_error: { type: ['string', 'null'] },
  duration_ms: { type: ['integer', 'null'] },
  response_excerpt: { type: ['string', 'null'], description: 'The first KiB of the last response body.' },
  next_attempt_at: nullableDateTime,
  created_at: dateTime,
  delivered_at: nullableDateTime
})

/** Added to the API's context in this order (a schema before those that refer to it). */
export const SHARED_SCHEMAS = [FieldError, Problem, Hardware, Person, Software, Seat, AssetRequest, AuditEntry, HeldSeat, Offboarding, Webhook, WebhookDelivery]

export const ref = (id: string) => ({ $ref: `${id}#` })

/** A JSON body: the listed properties only (an unknown field is refused), `required` among them. */
export function body (properties: Record<string, unknown>, required: string[] = []): Schema {
  return { type: 'object', properties, required, additionalProperties: false }
}

export const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 100 } }, required: ['id'], additionalProperties: false }

export const ifMatchHeaders = {
  type: 'object',
  properties: { 'if-match': { type: 'string', maxLength: 100, description: 'The version read, as an entity tag ("3"): refused with 412 if the record has changed since.' } }
}

export function listOf (id: string): Schema {
  return {
    type: 'object',
    properties: {
      data: { type: 'array', items: ref(id) },
      next: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last page.' }
    },
    required: ['data', 'next'],
    additionalProperties: false
  }
}

export interface RouteDoc {
  summary: string
  tags: string[]
  abilities: readonly Ability[]
  description?: string
  params?: Schema
  querystring?: Schema
  body?: Schema
  headers?: Schema
  /** Success responses by status code. */
  response: Record<number, Schema>
}

/**
 * A route's options: its schema (parts, success responses, the problem document of every error,
 * the bearer security, the abilities it needs written into the description) and, in its config,
 * the abilities the auth hook checks.
 */
export function apiRoute (doc: RouteDoc): { schema: Schema, config: { abilities: readonly Ability[] } } {
  const needs = doc.abilities.length ? `Needs the ${doc.abilities.map(a => `\`${a}\``).join(' and ')} abilit${doc.abilities.length > 1 ? 'ies' : 'y'}.` : ''
  const problemResponse = { description: 'A problem document (RFC 9457).', content: { [PROBLEM_TYPE]: { schema: ref('Problem') } } }
  const schema = {
    summary: doc.summary,
    description: [doc.description, needs].filter(Boolean).join('\n\n'),
    tags: doc.tags,
    security: [{ bearer: [] }],
    ...(doc.params ? { params: doc.params } : {}),
    ...(doc.querystring ? { querystring: doc.querystring } : {}),
    ...(doc.body ? { body: doc.body } : {}),
    ...(doc.headers ? { headers: doc.headers } : {}),
    response: { ...doc.response, '4xx': problemResponse, '5xx': problemResponse }
  }
  return { schema, config: { abilities: doc.abilities } }
}

export interface ChangeDoc extends Omit<RouteDoc, 'params' | 'headers' | 'body' | 'response'> {
  /** The shared schema answered (`Hardware`). */
  record: string
  properties: Record<string, unknown>
  required?: string[]
}

/** A change to one versioned record: its id in the path, If-Match or a `version` field, the record back. */
export function changeRoute ({ record, properties, required, ...doc }: ChangeDoc) {
  return apiRoute({
    ...doc,
    params: idParams,
    headers: ifMatchHeaders,
    body: body({ ...properties, version: versionSchema }, required),
    response: { 200: ref(record) }
  })
}
