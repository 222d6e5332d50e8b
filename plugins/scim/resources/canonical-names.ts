// The attributes Stocktake knows (RFC 7643 §4.1, §4.2, §4.3), keyed by lowercase name: attribute
// names are case-insensitive, and a known name is stored with the RFC's casing.

export interface AttributeDefinition {
  name: string
  type: 'string' | 'boolean' | 'complex'
  multiValued?: boolean
  subAttributes?: AttributeDefinitions
}

export type AttributeDefinitions = ReadonlyMap<string, AttributeDefinition>

function define (...definitions: AttributeDefinition[]): AttributeDefinitions {
  return new Map(definitions.map(definition => [definition.name.toLowerCase(), definition]))
}

const string = (name: string): AttributeDefinition => ({ name, type: 'string' })
const complex = (name: string, subAttributes: AttributeDefinitions): AttributeDefinition => ({ name, type: 'complex', subAttributes })
const multiValued = (name: string, subAttributes: AttributeDefinitions): AttributeDefinition =>
  ({ name, type: 'complex', multiValued: true, subAttributes })

const primary: AttributeDefinition = { name: 'primary', type: 'boolean' }
const valueSubAttributes = define(string('value'), string('display'), string('type'), primary)

export const ADDRESS_PARTS = ['streetAddress', 'locality', 'region', 'postalCode', 'country'] as const

export const USER_ATTRIBUTES = define(
  string('userName'),
  complex('name', define(string('formatted'), string('familyName'), string('givenName'), string('middleName'),
    string('honorificPrefix'), string('honorificSuffix'))),
  string('displayName'),
  string('nickName'),
  string('profileUrl'),
  string('title'),
  string('userType'),
  string('preferredLanguage'),
  string('locale'),
  string('timezone'),
  { name: 'active', type: 'boolean' },
  multiValued('emails', valueSubAttributes),
  multiValued('phoneNumbers', valueSubAttributes),
  multiValued('ims', valueSubAttributes),
  multiValued('photos', valueSubAttributes),
  multiValued('addresses', define(string('formatted'), ...ADDRESS_PARTS.map(string), string('type'), primary)),
  multiValued('entitlements', valueSubAttributes),
  multiValued('roles', valueSubAttributes),
  multiValued('x509Certificates', valueSubAttributes),
  string('externalId')
)

export const MANAGER_ATTRIBUTES = define(string('value'), string('$ref'), string('displayName'))

export const ENTERPRISE_ATTRIBUTES = define(
  string('employeeNumber'),
  string('costCenter'),
  string('organization'),
  string('division'),
  string('department'),
  complex('manager', MANAGER_ATTRIBUTES)
)

export const MEMBER_ATTRIBUTES = define(string('value'), string('display'), string('$ref'), string('type'))

// members are read on their own (normalise-group.ts): each needs a value, and they are stored apart.
export const GROUP_ATTRIBUTES = define(string('displayName'), string('externalId'))

/** The key of `object` that names `name` case-insensitively, if any. */
export function findKey (object: Record<string, unknown>, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name
  const lower = name.toLowerCase()
  return Object.keys(object).find(key => key.toLowerCase() === lower)
}
