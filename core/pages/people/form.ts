import type { Knex } from 'knex'
import { roleLabel } from '../../admin/helpers.ts'
import { statusLabeller } from '../../admin/status-labels.ts'
import { FormRefusal, type FormSpec, type FormValues } from '../../admin/form.ts'
import { PERSON_ROLES, type Person, type PersonInput, type PersonPatch } from '../../register/index.ts'
import { findAssignee } from '../hardware/queries.ts'

type FieldName = 'first_name' | 'last_name' | 'email' | 'job_title' | 'department' | 'location' | 'manager' | 'cost_center' |
  'start_date' | 'end_date' | 'status' | 'role'

export type PersonValues = FormValues<FieldName>

/** Statuses the form offers; offboarding is its own action, which also reports what the person holds. */
export const FORM_STATUSES = ['active', 'inactive'] as const

export const PERSON_FORM: FormSpec<FieldName> = {
  id: 'person',
  groups: [
    {
      legend: 'Name and email',
      fields: [
        { name: 'first_name', label: 'First name', maxlength: 255 },
        { name: 'last_name', label: 'Last name', maxlength: 255 },
        { name: 'email', label: 'Email', type: 'email', required: true, maxlength: 320, hint: 'Their work email: it is how they sign in.' }
      ]
    },
    {
      legend: 'Work',
      fields: [
        { name: 'job_title', label: 'Job title', maxlength: 255 },
        { name: 'department', label: 'Department', maxlength: 255, list: 'person-departments' },
        { name: 'location', label: 'Location', maxlength: 255 },
        { name: 'manager', label: 'Manager', maxlength: 320, list: 'person-managers', registerField: 'manager_id', hint: 'Their email, or their full name.' },
        { name: 'cost_center', label: 'Cost center', maxlength: 255 }
      ]
    },
    {
      legend: 'Employment',
      fields: [
        { name: 'start_date', label: 'Start date', type: 'date' },
        { name: 'end_date', label: 'End date', type: 'date' },
        { name: 'status', label: 'Status', type: 'select', options: FORM_STATUSES, optionLabel: statusLabeller('person') },
        { name: 'role', label: 'Role', type: 'select', options: PERSON_ROLES, optionLabel: roleLabel }
      ]
    }
  ]
}

/** Who is typed into the manager field: their id, or why nobody could be chosen. */
export type ManagerChoice = { id: string | null } | { error: string }

/**
 * The manager typed into the form. The current manager stays as they are (even when no longer
 * active); anyone else must be an active person, found by email or a full name only they have.
 */
export async function chooseManager (db: Knex, workspaceId: string, typed: string, current?: { id: string, email: string } | null): Promise<ManagerChoice> {
  if (!typed) return { id: null }
  if (current && typed.toLowerCase() === current.email.toLowerCase()) return { id: current.id }
  const found = await findAssignee(db, workspaceId, typed, 'be a manager')
  return 'error' in found ? found : { id: found.person.id }
}

// A manager nobody could be found for goes to the register as an id it refuses, so the form's other
// problems come back in the same answer; the page then shows its own message for the field.
const UNRESOLVED = 'unresolved'

function common (values: PersonValues, manager: ManagerChoice) {
  const { manager: _typed, role: _role, ...fields } = values
  return { ...fields, manager_id: 'error' in manager ? UNRESOLVED : manager.id }
}

/** A new person: an empty status is active; the role only when the admin may give roles. */
export function createInput (values: PersonValues, manager: ManagerChoice, mayGiveRoles: boolean): PersonInput {
  const input: Record<string, unknown> = common(values, manager)
  if (values.status === '') delete input.status
  if (mayGiveRoles && values.role) input.role = values.role
  return input as PersonInput
}

/** An edit. Roles change in Settings; a status of offboarded is set only by the Offboard action. */
export function patchInput (values: PersonValues, manager: ManagerChoice, current: Person): PersonPatch {
  if (values.status === 'offboarded' && current.status !== 'offboarded') {
    throw new FormRefusal({ status: 'To offboard someone, use Offboard on their page: it also lists what they still hold.' })
  }
  return common(values, manager) as PersonPatch
}
