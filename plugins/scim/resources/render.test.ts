import t from 'tap'
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../schemas.ts'
import { groupResource, normaliseGroup, normaliseUser, userResource, type ResourceMeta, type UserDocument } from './index.ts'

const meta = (id: string, resource: 'Users' | 'Groups'): ResourceMeta => ({
  id,
  created: new Date('2024-05-01T10:00:00Z'),
  lastModified: new Date('2024-05-02T11:30:00.250Z'),
  version: 7,
  location: `https://stocktake.example/scim/v2/${resource}/${id}`
})

t.test('a user: schemas, id, externalId, the document, then meta', async t => {
  const document = normaliseUser({
    userName: 'test.user@okta.local',
    externalId: '00ujl29u0le5T6Aj10h7',
    name: { givenName: 'Test', familyName: 'User' },
    password: '1mz050nq',
    [ENTERPRISE_SCHEMA]: { department: 'IT' }
  })
  const resource = userResource(document, meta('u1', 'Users'))
  t.same(resource, {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    id: 'u1',
    externalId: '00ujl29u0le5T6Aj10h7',
    userName: 'test.user@okta.local',
    name: { givenName: 'Test', familyName: 'User' },
    active: true,
    [ENTERPRISE_SCHEMA]: { department: 'IT' },
    meta: {
      resourceType: 'User',
      created: '2024-05-01T10:00:00.000Z',
      lastModified: '2024-05-02T11:30:00.250Z',
      location: 'https://stocktake.example/scim/v2/Users/u1',
      version: 'W/"7"'
    }
  })
  t.same(Object.keys(resource).slice(0, 3), ['schemas', 'id', 'externalId'])
  t.equal(Object.keys(resource).at(-1), 'meta')
})

t.test('no externalId key when there is none; never a password, nulls, or a stored id/meta', async t => {
  const stored = { ...normaliseUser({ userName: 'a' }), password: 'secret', title: null, id: 'stale', meta: { version: 'W/"1"' } }
  const resource = userResource(stored as unknown as UserDocument, meta('u2', 'Users'))
  t.notOk('externalId' in resource)
  t.notOk('password' in resource)
  t.notOk('title' in resource)
  t.equal(resource.id, 'u2')
  t.same((resource.meta as Record<string, unknown>).version, 'W/"7"')
})

t.test('a group: members from the given rows, each {value, display?, $ref?}', async t => {
  const document = normaliseGroup({ displayName: 'Admins', externalId: 'e-1', members: [{ value: 'ignored: rows are answered' }] })
  const resource = groupResource(document, [
    { value: 'u1', display: 'VP' },
    { value: 'u2', display: null },
    { value: 'u3', display: 'Al', $ref: 'https://stocktake.example/scim/v2/Users/u3' }
  ], meta('g1', 'Groups'))
  t.same(resource, {
    schemas: [GROUP_SCHEMA],
    id: 'g1',
    externalId: 'e-1',
    displayName: 'Admins',
    members: [{ value: 'u1', display: 'VP' }, { value: 'u2' }, { value: 'u3', display: 'Al', $ref: 'https://stocktake.example/scim/v2/Users/u3' }],
    meta: {
      resourceType: 'Group',
      created: '2024-05-01T10:00:00.000Z',
      lastModified: '2024-05-02T11:30:00.250Z',
      location: 'https://stocktake.example/scim/v2/Groups/g1',
      version: 'W/"7"'
    }
  })
})

t.test('a group with no members answers members: []; null leaves them out', async t => {
  const document = normaliseGroup({ displayName: 'Empty' })
  t.same(groupResource(document, [], meta('g2', 'Groups')).members, [])
  const withoutMembers = groupResource(normaliseGroup({ displayName: 'Big', members: ['u1'] }), null, meta('g3', 'Groups'))
  t.notOk('members' in withoutMembers)
  t.same(Object.keys(withoutMembers), ['schemas', 'id', 'displayName', 'meta'])
})
