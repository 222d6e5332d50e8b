import t from 'tap'
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../schemas.ts'
import { groupResource, normaliseGroup, normaliseUser, projectAttributes, userResource } from './index.ts'

const meta = { id: 'u1', created: new Date(0), lastModified: new Date(0), version: 1, location: '/scim/v2/Users/u1' }
const user = userResource(normaliseUser({
  userName: 'bjensen@example.com',
  externalId: 'e-1',
  name: { givenName: 'Barbara', familyName: 'Jensen', formatted: 'Ms. Barbara J Jensen III' },
  title: 'Tour Guide',
  emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }],
  [ENTERPRISE_SCHEMA]: { department: 'Tour Operations', employeeNumber: '701984', manager: { value: 'm-1', displayName: 'John Smith' } }
}), meta)
const project = (query: { attributes?: string, excludedAttributes?: string }) => projectAttributes(user, query, USER_SCHEMA)
const always = { schemas: user.schemas, id: 'u1', meta: user.meta }

t.test('no query returns the resource', async t => {
  t.same(project({}), user)
  t.same(project({ attributes: '', excludedAttributes: ' ' }), user)
})

t.test('attributes: only those, plus id, schemas and meta', async t => {
  t.same(project({ attributes: 'userName,emails' }), { ...always, userName: 'bjensen@example.com', emails: user.emails })
  t.same(project({ attributes: 'USERNAME, Title' }), { ...always, userName: 'bjensen@example.com', title: 'Tour Guide' }, 'any case, spaces around commas')
  t.same(project({ attributes: 'id' }), always)
  t.same(project({ attributes: 'noSuchAttribute' }), always)
})

t.test('attributes: sub-attributes of complex and multi-valued attributes', async t => {
  t.same(project({ attributes: 'name.givenName' }), { ...always, name: { givenName: 'Barbara' } })
  t.same(project({ attributes: 'emails.value' }), { ...always, emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }] })
  t.same(project({ attributes: 'name.givenName,name' }), { ...always, name: user.name }, 'the whole attribute wins over a part of it')
})

t.test('attributes: URN-prefixed paths', async t => {
  t.same(project({ attributes: `${ENTERPRISE_SCHEMA}:department` }), { ...always, [ENTERPRISE_SCHEMA]: { department: 'Tour Operations' } })
  t.same(project({ attributes: `${ENTERPRISE_SCHEMA.toLowerCase()}:manager.value` }), { ...always, [ENTERPRISE_SCHEMA]: { manager: { value: 'm-1' } } })
  t.same(project({ attributes: ENTERPRISE_SCHEMA }), { ...always, [ENTERPRISE_SCHEMA]: user[ENTERPRISE_SCHEMA] })
  t.same(project({ attributes: `${USER_SCHEMA}:userName,${USER_SCHEMA}:name.familyName` }),
    { ...always, userName: 'bjensen@example.com', name: { familyName: 'Jensen' } })
  t.same(project({ attributes: 'urn:example:custom:2.0:User:badge' }), always, 'an extension the resource lacks names nothing')
})

t.test('attributes: a value filter is tolerated and read as the attribute', async t => {
  t.same(project({ attributes: 'emails[type eq "work"]' }), { ...always, emails: user.emails })
  t.same(project({ attributes: 'emails[value eq "emailName357"]' }), { ...always, emails: user.emails })
  t.same(project({ attributes: 'emails[type eq "a,b]"].value,userName' }),
    { ...always, userName: 'bjensen@example.com', emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }] })
})

t.test('excludedAttributes: everything but those; id, schemas and meta stay', async t => {
  const { emails: _emails, title: _title, ...rest } = user
  t.same(project({ excludedAttributes: 'emails,Title' }), rest)
  t.same(project({ excludedAttributes: 'id,schemas,meta' }), user)
  const { name, ...withoutName } = user
  t.same(project({ excludedAttributes: 'name.formatted' }), { ...withoutName, name: { givenName: 'Barbara', familyName: 'Jensen' }, meta: user.meta })
  t.same(project({ excludedAttributes: 'name.formatted,name.givenName,name.familyName' }), withoutName, 'a complex attribute left empty goes')
  t.same(name, user.name, 'the resource itself is not changed')
})

t.test('excludedAttributes: sub-attributes of multi-valued and extension attributes', async t => {
  const projected = project({ excludedAttributes: `emails.type,emails.primary,${ENTERPRISE_SCHEMA}:manager,${ENTERPRISE_SCHEMA}:employeeNumber` })
  t.same(projected.emails, [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }])
  t.same(projected[ENTERPRISE_SCHEMA], { department: 'Tour Operations' })
  const none = project({ excludedAttributes: ENTERPRISE_SCHEMA })
  t.notOk(ENTERPRISE_SCHEMA in none)
})

t.test('attributes wins over excludedAttributes', async t => {
  t.same(project({ attributes: 'userName', excludedAttributes: 'userName' }), { ...always, userName: 'bjensen@example.com' })
})

t.test('groups: excludedAttributes=members, attributes=displayName', async t => {
  const group = groupResource(normaliseGroup({ displayName: 'Admins' }), [{ value: 'u1', display: 'A' }],
    { id: 'g1', created: new Date(0), lastModified: new Date(0), version: 1, location: '/scim/v2/Groups/g1' })
  const { members: _members, ...withoutMembers } = group
  t.same(projectAttributes(group, { excludedAttributes: 'members' }, GROUP_SCHEMA), withoutMembers)
  t.same(projectAttributes(group, { attributes: 'displayName' }, GROUP_SCHEMA), withoutMembers)
  t.same(projectAttributes(group, { attributes: 'members.value' }, GROUP_SCHEMA).members, [{ value: 'u1' }])
  const empty = groupResource(normaliseGroup({ displayName: 'Empty' }), [], { id: 'g2', created: new Date(0), lastModified: new Date(0), version: 1, location: '/g2' })
  t.same(projectAttributes(empty, { attributes: 'members' }, GROUP_SCHEMA).members, [], 'an empty list asked for is answered')
})
