import t from 'tap'
import { ScimError } from '../errors.ts'
import { resourceType, resourceTypes } from './index.ts'

const BASE = 'https://acme.example.com/scim/v2'

const user = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
  id: 'User',
  name: 'User',
  description: 'User Account',
  endpoint: '/Users',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:User',
  schemaExtensions: [{ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false }],
  meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` }
}
const group = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
  id: 'Group',
  name: 'Group',
  description: 'Group',
  endpoint: '/Groups',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/Group` }
}

t.test('GET /ResourceTypes is a ListResponse, User then Group (RFC 7643 §6)', async t => {
  t.strictSame(resourceTypes(BASE), {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: 2,
    startIndex: 1,
    itemsPerPage: 2,
    Resources: [user, group]
  })
})

t.test('GET /ResourceTypes/{name} answers one, the name in any case', async t => {
  t.strictSame(resourceType(BASE, 'User'), user)
  t.strictSame(resourceType(BASE, 'group'), group)
})

t.test('an unknown resource type is a 404 ScimError', async t => {
  try {
    resourceType(BASE, 'Devices')
    t.fail('expected a ScimError')
  } catch (error) {
    t.ok(error instanceof ScimError)
    t.match(error, { status: 404, scimType: undefined, message: 'Resource type "Devices" not found' })
  }
})

t.test('each answer is a fresh copy', async t => {
  const first = resourceType(BASE, 'User') as any
  first.schemaExtensions[0].required = true
  t.equal((resourceType(BASE, 'User') as any).schemaExtensions[0].required, false)
})
