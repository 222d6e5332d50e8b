// Who the IdP says signed in, from the verified profile node-saml returns, per the IdP record's
// attribute names: the email (an attribute, or the NameID), the names, the groups, the subject.
import type { Profile } from '@node-saml/node-saml'
import type { VerifiedIdentity } from '../../../core/sdk.ts'
import type { Idp } from '../idps/types.ts'
import { Refusal } from './refusals.ts'

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient'
const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'

/** An attribute's values as strings: node-saml gives one value as a string and several as an array. */
export function attributeValues (profile: Profile, name: string | null): string[] {
  if (name === null || name === '') return []
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>
  const value = Object.prototype.hasOwnProperty.call(attributes, name) ? attributes[name] : undefined
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value]
  return values.filter((item): item is string => typeof item === 'string').map(item => item.trim()).filter(item => item !== '')
}

const firstValue = (profile: Profile, name: string | null): string | undefined => attributeValues(profile, name)[0]

export function identityFrom (profile: Profile, idp: Idp): VerifiedIdentity {
  const email = idp.emailAttribute ? firstValue(profile, idp.emailAttribute) : profile.nameID?.trim()
  if (email === undefined || !EMAIL.test(email)) {
    const where = idp.emailAttribute ? `its "${idp.emailAttribute}" attribute` : 'its NameID'
    throw new Refusal('no_email', `${idp.displayName} sent no email address in ${where}${email ? ` ("${email}" is not one)` : ''}. Ask your IT admin to check the IdP's attribute settings.`)
  }
  const format = profile.nameIDFormat || UNSPECIFIED
  // A transient NameID changes at every sign-in: the email stands in for it as the stable subject.
  const subject = format === TRANSIENT || !profile.nameID ? `${idp.entityId}|email|${email.toLowerCase()}` : `${idp.entityId}|${format}|${profile.nameID}`
  if (subject.length > 1024) throw new Refusal('malformed', 'The NameID is too long to be a stable identifier.')
  return {
    email,
    subject,
    firstName: firstValue(profile, idp.firstNameAttribute),
    lastName: firstValue(profile, idp.lastNameAttribute),
    groups: [...new Set(attributeValues(profile, idp.groupAttribute))]
  }
}
