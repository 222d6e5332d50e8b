import t from 'tap'
import { ScimError } from '../errors.ts'
import { schema, schemas } from './index.ts'

const BASE = 'https://acme.example.com/scim/v2'
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'

t.test('GET /Schemas is a ListResponse of User, EnterpriseUser and Group (RFC 7643 §7)', async t => {
  const list = schemas(BASE) as any
  t.strictSame(list.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse'])
  t.match(list, { totalResults: 3, startIndex: 1, itemsPerPage: 3 })
  t.strictSame(list.Resources.map((resource: any) => [resource.id, resource.name]),
    [[USER, 'User'], [ENTERPRISE, 'EnterpriseUser'], [GROUP, 'Group']])
  for (const resource of list.Resources) {
    t.strictSame(resource.schemas, ['urn:ietf:params:scim:schemas:core:2.0:Schema'], resource.name)
    t.strictSame(resource.meta, { resourceType: 'Schema', location: `${BASE}/Schemas/${resource.id}` }, resource.name)
    t.type(resource.description, 'string', resource.name)
    t.ok(resource.attributes.length > 0, resource.name)
  }
})

t.test('the User schema description says "User Account"', async t => {
  t.match((schema(BASE, USER) as any).description, /User Account/)
})

t.test('GET /Schemas/{urn} answers the same document as the list, the URN in any case', async t => {
  const listed = (schemas(BASE) as any).Resources
  t.strictSame(schema(BASE, USER), listed[0])
  t.strictSame(schema(BASE, ENTERPRISE.toUpperCase()), listed[1])
  t.strictSame(schema(BASE, GROUP), listed[2])
})

t.test('an unknown schema is a 404 ScimError', async t => {
  try {
    schema(BASE, 'urn:ietf:params:scim:schemas:core:2.0:Device')
    t.fail('expected a ScimError')
  } catch (error) {
    t.ok(error instanceof ScimError)
    t.match(error, { status: 404, scimType: undefined, message: 'Schema "urn:ietf:params:scim:schemas:core:2.0:Device" not found' })
  }
})

t.test('each answer is a fresh copy', async t => {
  const first = schema(BASE, USER) as any
  first.attributes.length = 0
  t.ok((schema(BASE, USER) as any).attributes.length > 0)
})
