import { ScimError } from '../errors.ts'
import { ENTERPRISE_SCHEMA } from '../schemas.ts'
import { isEmailAddress } from './email-address.ts'
import type { UserDocument } from './types.ts'

export interface PersonFields {
  email: string
  first_name: string | null
  last_name: string | null
  job_title: string | null
  department: string | null
  cost_center: string | null
  location: string | null
  managerId: string | null
  active: boolean
}

/** The person's fields a user document gives (people columns), and the manager's SCIM id when set. */
export function personOf (document: UserDocument): PersonFields {
  const enterprise = document[ENTERPRISE_SCHEMA]
  const address = preferred((document.addresses ?? []).filter(item => text(item.locality) !== null))
  const given = text(document.name?.givenName)
  const family = text(document.name?.familyName)
  // A directory that fills only the full name (name.formatted, or displayName): it is kept whole as
  // the first name, so the person is shown by their name rather than their email.
  const whole = given === null && family === null ? text(document.name?.formatted) ?? text(document.displayName) : null
  return {
    email: emailOf(document),
    first_name: given ?? whole,
    last_name: family,
    job_title: text(document.title),
    department: text(enterprise?.department),
    cost_center: text(enterprise?.costCenter),
    location: text(address?.locality),
    managerId: text(enterprise?.manager?.value),
    active: document.active
  }
}

/** The primary email, else the work one, else the first; only addresses the register accepts count. */
function emailOf (document: UserDocument): string {
  const emails = (document.emails ?? []).filter(email => isEmailAddress(email.value.trim()))
  const email = preferred(emails)?.value.trim() ?? document.userName.trim()
  if (!isEmailAddress(email)) throw ScimError.invalidValue('emails', 'must hold an email address: a user needs one, in emails or as userName')
  return email
}

function preferred<T extends { primary?: boolean, type?: string }> (items: T[]): T | undefined {
  return items.find(item => item.primary === true) ??
    items.find(item => item.type?.toLowerCase() === 'work') ??
    items[0]
}

function text (value: unknown): string | null {
  if (typeof value !== 'string') return null
  const trimmed = value.trim()
  return trimmed === '' ? null : trimmed
}
