// The attribute definitions: everything the resource layer maps is discoverable, and every
// definition carries the characteristics RFC 7643 §7 gives it.
import t from 'tap'
import { schema, schemas } from './index.ts'

const BASE = 'https://acme.example.com/scim/v2'
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'

/** The definition at a dotted path such as `name.givenName`, or undefined. */
function definition (urn: string, path: string): any {
  let attributes = (schema(BASE, urn) as any).attributes
  let found: any
  for (const name of path.split('.')) {
    found = attributes?.find((attribute: any) => attribute.name === name)
    attributes = found?.subAttributes
  }
  return found
}

function everyAttribute (): Array<{ path: string, attribute: any }> {
  const all: Array<{ path: string, attribute: any }> = []
  const visit = (prefix: string, attributes: any[]): void => {
    for (const attribute of attributes) {
      all.push({ path: `${prefix}${attribute.name}`, attribute })
      if (attribute.subAttributes) visit(`${prefix}${attribute.name}.`, attribute.subAttributes)
    }
  }
  for (const resource of (schemas(BASE) as any).Resources) visit(`${resource.name}:`, resource.attributes)
  return all
}

t.test('every attribute the resource layer maps is discoverable', async t => {
  const mapped: Record<string, string[]> = {
    [USER]: [
      'userName', 'name', 'name.givenName', 'name.familyName', 'name.formatted', 'displayName', 'title',
      'emails', 'emails.value', 'emails.type', 'emails.primary',
      'phoneNumbers', 'phoneNumbers.value', 'phoneNumbers.type', 'phoneNumbers.primary',
      'addresses', 'addresses.streetAddress', 'addresses.locality', 'addresses.region', 'addresses.postalCode',
      'addresses.country', 'addresses.type', 'addresses.primary',
      'preferredLanguage', 'locale', 'timezone', 'active', 'externalId', 'groups', 'groups.value', 'groups.display'
    ],
    [ENTERPRISE]: [
      'employeeNumber', 'costCenter', 'organization', 'division', 'department',
      'manager', 'manager.value', 'manager.$ref', 'manager.displayName'
    ],
    [GROUP]: ['displayName', 'members', 'members.value', 'members.display', 'members.type', 'members.$ref']
  }
  for (const [urn, paths] of Object.entries(mapped)) {
    for (const path of paths) t.ok(definition(urn, path), `${urn}:${path}`)
  }
})

t.test('every definition carries the characteristics of RFC 7643 §7, camelCase and without nulls', async t => {
  const TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary', 'complex']
  const KEYS = ['name', 'type', 'multiValued', 'description', 'required', 'caseExact', 'canonicalValues',
    'referenceTypes', 'mutability', 'returned', 'uniqueness', 'subAttributes']
  const all = everyAttribute()
  t.ok(all.length > 80, `${all.length} definitions`)
  for (const { path, attribute } of all) {
    t.match(attribute, {
      name: /^\$?[A-Za-z][A-Za-z0-9]*$/,
      multiValued: Boolean,
      description: /\S/,
      required: Boolean,
      caseExact: Boolean,
      mutability: /^(readOnly|readWrite|immutable|writeOnly)$/,
      returned: /^(always|never|default|request)$/,
      uniqueness: /^(none|server|global)$/
    }, path)
    t.ok(TYPES.includes(attribute.type), `${path} type ${attribute.type}`)
    t.strictSame(Object.keys(attribute).filter(key => !KEYS.includes(key)), [], `${path} has only RFC keys`)
    t.notOk(Object.values(attribute).some(value => value === null || value === undefined), `${path} has no null values`)
    if (attribute.type === 'complex') t.ok(attribute.subAttributes?.length > 0, `${path} has sub-attributes`)
    else t.equal(attribute.subAttributes, undefined, `${path} has no sub-attributes`)
    if (attribute.type === 'reference') t.ok(attribute.referenceTypes?.length > 0, `${path} has referenceTypes`)
    else t.equal(attribute.referenceTypes, undefined, `${path} has no referenceTypes`)
    if (attribute.canonicalValues !== undefined) t.ok(attribute.canonicalValues.length > 0, `${path} canonicalValues not empty`)
    if (path.split('.').length > 2) t.fail(`${path}: sub-attributes cannot have sub-attributes (RFC 7643 §2.3.8)`)
  }
})

t.test('names are unique within each level, ignoring case (RFC 7643 §2.1)', async t => {
  const all = everyAttribute().map(({ path }) => path.toLowerCase())
  t.strictSame(all.filter((path, index) => all.indexOf(path) !== index), [])
})

t.test('the characteristics Stocktake relies on', async t => {
  t.match(definition(USER, 'userName'), { type: 'string', required: true, caseExact: false, uniqueness: 'server', mutability: 'readWrite' })
  t.match(definition(USER, 'password'), { returned: 'never', mutability: 'writeOnly' })
  t.match(definition(USER, 'externalId'), { caseExact: true, uniqueness: 'none', required: false })
  t.match(definition(USER, 'active'), { type: 'boolean' })
  t.match(definition(USER, 'emails'), { type: 'complex', multiValued: true })
  t.strictSame(definition(USER, 'emails.type').canonicalValues, ['work', 'home', 'other'])
  t.match(definition(USER, 'emails.primary'), { type: 'boolean' })
  t.match(definition(USER, 'addresses.primary'), { type: 'boolean' })
  t.match(definition(USER, 'groups'), { mutability: 'readOnly', multiValued: true })
  t.match(definition(USER, 'groups.$ref'), { type: 'reference', referenceTypes: ['User', 'Group'], mutability: 'readOnly' })
  t.match(definition(USER, 'profileUrl'), { type: 'reference', referenceTypes: ['external'] })
  t.match(definition(USER, 'x509Certificates.value'), { type: 'binary' })

  t.match(definition(ENTERPRISE, 'manager'), { type: 'complex', multiValued: false })
  t.match(definition(ENTERPRISE, 'manager.$ref'), { type: 'reference', referenceTypes: ['User'] })
  t.match(definition(ENTERPRISE, 'manager.displayName'), { mutability: 'readOnly' })

  t.match(definition(GROUP, 'displayName'), { required: true, uniqueness: 'server', caseExact: false })
  t.match(definition(GROUP, 'members'), { type: 'complex', multiValued: true, mutability: 'readWrite' })
  t.match(definition(GROUP, 'members.value'), { mutability: 'immutable', caseExact: false })
  t.match(definition(GROUP, 'members.$ref'), { referenceTypes: ['User', 'Group'] })
})
