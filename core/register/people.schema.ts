import type { Kind } from './kind.ts'
import { date, email, jsonObject, objectSchema, oneOf, optionalId, optionalText, patchSchema, text, validator } from './validate.ts'

export const PERSON_STATUSES = ['active', 'inactive', 'offboarded'] as const
export const PERSON_ROLES = ['super-admin', 'admin', 'it-admin', 'employee'] as const
export type PersonStatus = typeof PERSON_STATUSES[number]
export type PersonRole = typeof PERSON_ROLES[number]

export interface Person {
  id: string
  workspace_id: string
  email: string
  first_name: string | null
  last_name: string | null
  job_title: string | null
  department: string | null
  location: string | null
  manager_id: string | null
  cost_center: string | null
  start_date: string | null
  end_date: string | null
  status: PersonStatus
  role: PersonRole
  source: string
  source_ids: Record<string, unknown>
  version: number
  created_at: Date
  updated_at: Date
}

type Editable = Omit<Person, 'id' | 'workspace_id' | 'version' | 'created_at' | 'updated_at'>
export type PersonInput = Partial<Editable> & { email: string }
/** Role changes go through changeRole, so they are audited as such. */
export type PersonPatch = Partial<Omit<Editable, 'role'>>

// Credentials (password_hash) and sessions belong to auth and are never read here.
export const PEOPLE: Kind<Person> = {
  table: 'users',
  noun: 'Person',
  target: 'person',
  columns: ['id', 'workspace_id', 'email', 'first_name', 'last_name', 'job_title', 'department', 'location', 'manager_id',
    'cost_center', 'start_date', 'end_date', 'status', 'role', 'source', 'source_ids', 'version', 'created_at', 'updated_at'],
  fromDb: raw => raw as unknown as Person,
  label: personLabel
}

export function personLabel (p: Pick<Person, 'first_name' | 'last_name' | 'email'>): string {
  return [p.first_name, p.last_name].filter(Boolean).join(' ') || p.email
}

const { role, ...patchable } = {
  email,
  first_name: optionalText(),
  last_name: optionalText(),
  job_title: optionalText(),
  department: optionalText(),
  location: optionalText(),
  manager_id: optionalId,
  cost_center: optionalText(),
  start_date: date,
  end_date: date,
  status: oneOf(PERSON_STATUSES),
  role: oneOf(PERSON_ROLES),
  source: text(64),
  source_ids: jsonObject
}

/** The fields an update may change (not the role: see changeRole), shared with the API's schemas. */
export const PERSON_PROPERTIES = patchable

export const validatePerson = validator<PersonInput>(objectSchema({ ...patchable, role }, ['email']))
export const validatePersonPatch = validator<PersonPatch>(patchSchema(objectSchema(patchable)))
export const validateRole = validator<{ role: PersonRole }>(objectSchema({ role }, ['role']))
