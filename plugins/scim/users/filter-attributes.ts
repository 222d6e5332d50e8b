import { defineFilterAttributes, type ScalarAttribute } from '../filter/index.ts'
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from '../schemas.ts'

// What a /Users filter may name, over scim_users AS u. userName, externalId, active and the meta
// dates are columns (userName eq is an index scan); the rest is read from the stored document,
// whose keys are canonical (RFC 7643 casing).

const text = (...keys: string[]): ScalarAttribute => ({
  sql: `jsonb_extract_path_text(u.document, ${keys.map(() => '?').join(', ')})`,
  bindings: keys,
  type: 'string'
})

/** A multi-valued attribute of the document, element by element. */
const elements = (attribute: string, subAttributes: Record<string, ScalarAttribute['type']>) => ({
  from: `jsonb_array_elements(CASE WHEN jsonb_typeof(u.document->'${attribute}') = 'array' THEN u.document->'${attribute}' ELSE '[]'::jsonb END) AS ${attribute}_element`,
  subAttributes: Object.fromEntries(Object.entries(subAttributes).map(([name, type]) => [name, {
    sql: type === 'boolean' ? `(${attribute}_element->>'${name}')::boolean` : `${attribute}_element->>'${name}'`,
    type
  }]))
})

const enterprise = (attribute: string, sub?: string): ScalarAttribute => sub ? text(ENTERPRISE_SCHEMA, attribute, sub) : text(ENTERPRISE_SCHEMA, attribute)

export const USER_FILTERS = defineFilterAttributes({
  coreSchema: USER_SCHEMA,
  attributes: {
    // Compared as text: a filter value that is not a UUID then matches nothing instead of failing.
    id: { sql: 'u.id::text', type: 'string', caseExact: true },
    userName: { sql: 'u.user_name', type: 'string' },
    externalId: { sql: 'u.external_id', type: 'string', caseExact: true },
    active: { sql: 'u.active', type: 'boolean' },
    'meta.created': { sql: 'u.created_at', type: 'dateTime' },
    'meta.lastModified': { sql: 'u.updated_at', type: 'dateTime' },
    displayName: text('displayName'),
    nickName: text('nickName'),
    title: text('title'),
    userType: text('userType'),
    preferredLanguage: text('preferredLanguage'),
    locale: text('locale'),
    timezone: text('timezone'),
    profileUrl: text('profileUrl'),
    'name.formatted': text('name', 'formatted'),
    'name.familyName': text('name', 'familyName'),
    'name.givenName': text('name', 'givenName'),
    'name.middleName': text('name', 'middleName'),
    emails: elements('emails', { value: 'string', type: 'string', display: 'string', primary: 'boolean' }),
    phoneNumbers: elements('phoneNumbers', { value: 'string', type: 'string', display: 'string', primary: 'boolean' }),
    addresses: elements('addresses', {
      formatted: 'string', streetAddress: 'string', locality: 'string', region: 'string', postalCode: 'string', country: 'string', type: 'string', primary: 'boolean'
    }),
    [`${ENTERPRISE_SCHEMA}:employeeNumber`]: enterprise('employeeNumber'),
    [`${ENTERPRISE_SCHEMA}:costCenter`]: enterprise('costCenter'),
    [`${ENTERPRISE_SCHEMA}:organization`]: enterprise('organization'),
    [`${ENTERPRISE_SCHEMA}:division`]: enterprise('division'),
    [`${ENTERPRISE_SCHEMA}:department`]: enterprise('department'),
    [`${ENTERPRISE_SCHEMA}:manager.value`]: enterprise('manager', 'value'),
    [`${ENTERPRISE_SCHEMA}:manager.displayName`]: enterprise('manager', 'displayName')
  }
})
