import { randomBytes } from 'node:crypto'
import { isEmailAddress } from '../resources/email-address.ts'
import type { UserDocument } from '../resources/index.ts'

/** The addresses a user offers for its person, best first: primary, work, the others, then an email-shaped userName. */
export function candidateEmails (document: UserDocument): string[] {
  const emails = (document.emails ?? []).filter(email => typeof email.value === 'string')
  const ranked = [
    ...emails.filter(email => email.primary === true),
    ...emails.filter(email => email.type?.toLowerCase() === 'work'),
    ...emails
  ].map(email => email.value.trim())
  return [...new Set([...ranked, document.userName.trim()].filter(isEmailAddress).map(email => email.toLowerCase()))]
}

/**
 * For a person whose every address belongs to another provisioned user (IdPs allow shared
 * mailboxes; the register needs one address per person): never delivered (RFC 2606 `.invalid`).
 */
export function placeholderEmail (userName: string): string {
  const local = userName.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 40) || 'user'
  return `${local}.${randomBytes(4).toString('hex')}@scim.invalid`
}
