// The add and edit forms of an IdP, read into what the store keeps: every field checked, every
// problem reported at once (a ValidationError names each field and its rule), nothing trusted.
import type { FieldError, PageForm, PersonRole } from '../../../core/sdk.ts'
import type { IdpFields, RoleMapping, SignedPart } from '../idps/types.ts'
import { certificatePem } from './certificates.ts'
import type { IdpTrust } from './metadata.ts'

/** The roles an IdP group may map to, lowest first. */
export const ROLES: PersonRole[] = ['employee', 'it-admin', 'admin', 'super-admin']
const SIGNED_PARTS: SignedPart[] = ['response', 'assertion']
const KEY = /^[a-z0-9][a-z0-9-]{0,63}$/
const MAX_NAME = 100
const MAX_ATTRIBUTE = 256
const MAX_ENTITY_ID = 1024
/** The form's role-mapping rows are mapping_group_<n> and mapping_role_<n>. */
const MAPPING_FIELD = /^mapping_(group|role)_(\d{1,3})$/

export class FormErrors {
  readonly list: FieldError[] = []
  add (field: string, rule: string, message: string): void { this.list.push({ field, rule, message }) }
  has (field: string): boolean { return this.list.some(e => e.field === field) }
}

const text = (form: PageForm, name: string): string => (form[name] ?? '').trim()
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/
const ticked = (form: PageForm, name: string): boolean => form[name] !== undefined && form[name] !== ''

/** A key from a display name: "Okta (staff)" -> "okta-staff". */
export function keyFromName (name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64).replace(/-+$/, '')
}

function optionalAttribute (form: PageForm, name: string, label: string, errors: FormErrors): string | null {
  const value = text(form, name)
  if (value.length > MAX_ATTRIBUTE) errors.add(name, 'max_length', `${label} is at most ${MAX_ATTRIBUTE} characters.`)
  else if (CONTROL.test(value)) errors.add(name, 'one_line', `${label} is one line: the attribute's Name as the IdP sends it.`)
  return value === '' ? null : value
}

/** The rows of role mappings that are filled in, in row order. */
function roleMappings (form: PageForm, errors: FormErrors): RoleMapping[] {
  const rows = [...new Set(Object.keys(form).flatMap(name => MAPPING_FIELD.exec(name)?.[2] ?? []))].sort((a, b) => Number(a) - Number(b))
  const mappings: RoleMapping[] = []
  for (const row of rows) {
    const group = text(form, `mapping_group_${row}`)
    const role = text(form, `mapping_role_${row}`)
    const groupField = `mapping_group_${row}`
    const roleField = `mapping_role_${row}`
    if (group === '' && role === '') continue
    if (group === '') { errors.add(groupField, 'required', 'Group value is required when a role is chosen: the group as the IdP sends it.'); continue }
    if (group.length > MAX_ATTRIBUTE) { errors.add(groupField, 'max_length', `Group value is at most ${MAX_ATTRIBUTE} characters.`); continue }
    if (CONTROL.test(group)) { errors.add(groupField, 'one_line', 'Group value is one line of text, as the IdP sends it.'); continue }
    if (!ROLES.includes(role as PersonRole)) { errors.add(roleField, 'enum', `Role for “${group}” must be one of super-admin, admin, it-admin, employee.`); continue }
    if (mappings.some(m => m.group === group)) { errors.add(groupField, 'unique', `Group value “${group}” is mapped twice: keep one row per group.`); continue }
    mappings.push({ group, role: role as PersonRole })
  }
  return mappings
}

/** Everything of an IdP but its trust (entity ID, SSO URL, certificates) and its key. */
export function readSettings (form: PageForm, errors: FormErrors): Omit<IdpFields, 'key' | 'entityId' | 'ssoUrl' | 'certificates'> {
  const displayName = text(form, 'display_name')
  if (displayName === '') errors.add('display_name', 'required', 'Display name is required: people see it on the sign-in button.')
  else if (displayName.length > MAX_NAME) errors.add('display_name', 'max_length', `Display name is at most ${MAX_NAME} characters.`)
  else if (CONTROL.test(displayName)) errors.add('display_name', 'one_line', 'Display name is one line of text.')
  const signedPart = text(form, 'signed_part') as SignedPart
  if (!SIGNED_PARTS.includes(signedPart)) errors.add('signed_part', 'enum', 'Signed part must be the whole Response or only the Assertion.')
  const defaultRole = text(form, 'default_role') as PersonRole
  if (!ROLES.includes(defaultRole)) errors.add('default_role', 'enum', 'Default role must be one of super-admin, admin, it-admin, employee.')
  return {
    displayName,
    enabled: ticked(form, 'enabled'),
    emailAttribute: optionalAttribute(form, 'email_attribute', 'Email attribute', errors),
    firstNameAttribute: optionalAttribute(form, 'first_name_attribute', 'First name attribute', errors),
    lastNameAttribute: optionalAttribute(form, 'last_name_attribute', 'Last name attribute', errors),
    groupAttribute: optionalAttribute(form, 'group_attribute', 'Group attribute', errors),
    signedPart,
    allowIdpInitiated: ticked(form, 'allow_idp_initiated'),
    createPeople: ticked(form, 'create_people'),
    defaultRole,
    roleMappings: roleMappings(form, errors)
  }
}

/** The key given, or one made from the display name when left blank. */
export function readKey (form: PageForm, displayName: string, errors: FormErrors): string {
  const given = text(form, 'key')
  const key = given === '' ? keyFromName(displayName) : given
  if (given === '' && key === '' && displayName !== '') errors.add('key', 'required', 'Key is required: the display name has no letters or digits to make one from.')
  else if (key !== '' && !KEY.test(key)) errors.add('key', 'pattern', 'Key must be 1–64 lowercase letters, digits and dashes, starting with a letter or digit: it is part of the sign-in URLs.')
  return key
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** The IdP's sign-in page: https (plain http only on this machine, for a test IdP). */
export function ssoUrlProblem (value: string): string | null {
  if (!URL.canParse(value)) return 'Single sign-on URL must be an absolute URL, like https://idp.example.com/sso/saml.'
  const url = new URL(value)
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return null
  return 'Single sign-on URL must be an https:// URL: people type their password there.'
}

/** An IdP's trust typed by hand: entity ID, SSO URL and signing certificate(s), on the given field names. */
export function readTrust (form: PageForm, fields: { entityId: string, ssoUrl: string, certificate: string }, errors: FormErrors): Partial<IdpTrust> & { certificate?: string } {
  const entityId = text(form, fields.entityId)
  if (entityId === '') errors.add(fields.entityId, 'required', 'Entity ID is required: the Issuer of the IdP\'s responses (in its metadata: entityID).')
  else if (entityId.length > MAX_ENTITY_ID || /\s/.test(entityId) || CONTROL.test(entityId)) errors.add(fields.entityId, 'pattern', `Entity ID is a URI without spaces, at most ${MAX_ENTITY_ID} characters.`)
  const ssoUrl = text(form, fields.ssoUrl)
  const ssoProblem = ssoUrl === '' ? 'Single sign-on URL is required: where the IdP receives sign-in requests (HTTP-Redirect binding).' : ssoUrlProblem(ssoUrl)
  if (ssoProblem !== null) errors.add(fields.ssoUrl, ssoUrl === '' ? 'required' : 'url', ssoProblem)
  const certificateText = text(form, fields.certificate)
  let certificate: string | undefined
  if (certificateText !== '') {
    certificate = certificatePem(certificateText) ?? undefined
    if (certificate === undefined) errors.add(fields.certificate, 'certificate', 'Signing certificate is not an X.509 certificate: paste the PEM (-----BEGIN CERTIFICATE-----…) or its base64.')
  }
  return { entityId, ssoUrl, certificate }
}
