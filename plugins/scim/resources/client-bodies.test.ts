// The bodies Okta, Entra and Microsoft's Postman collection send, as their documentation shows them.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../schemas.ts'
import { normaliseGroup, normaliseUser, personOf, userResource } from './index.ts'
import { scimErrorOf } from './test-helpers.ts'

const meta = { id: 'u1', created: new Date(0), lastModified: new Date(0), version: 1, location: '/scim/v2/Users/u1' }

t.test('Okta: create with the password placeholder, groups: [], locale and externalId', async t => {
  const body = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'test.user@okta.local',
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId: '00ujl29u0le5T6Aj10h7',
    groups: [],
    password: '1mz050nq',
    active: true
  }
  const document = normaliseUser(body)
  const { groups: _groups, password: _password, ...kept } = body
  t.same(document, kept)
  t.notOk(JSON.stringify(userResource(document, meta)).includes('1mz050nq'), 'the password is never answered')
  t.same(personOf(document), {
    email: 'test.user@okta.local', first_name: 'Test', last_name: 'User', job_title: null, department: null, cost_center: null, location: null, managerId: null, active: true
  })
})

t.test('Okta: the PUT after a GET (id, meta, groups: [], an empty middleName) and deactivation by PUT', async t => {
  const body = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: '23a35c27-23d3-4c03-b4c5-6443c09e7173',
    userName: 'test.user@okta.local',
    name: { givenName: 'Another', middleName: '', familyName: 'User' },
    emails: [{ primary: true, value: 'test.user@okta.local', type: 'work', display: 'test.user@okta.local' }],
    active: false,
    groups: [],
    meta: { resourceType: 'User' }
  }
  t.same(normaliseUser(body), {
    schemas: [USER_SCHEMA],
    userName: 'test.user@okta.local',
    name: { givenName: 'Another', familyName: 'User' },
    emails: [{ primary: true, value: 'test.user@okta.local', type: 'work', display: 'test.user@okta.local' }],
    active: false
  })
})

t.test('Okta: group push and the AIW group PUT', async t => {
  t.same(normaliseGroup({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Test SCIMv2', members: [] }),
    { schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [] })
  t.same(normaliseGroup({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b',
    displayName: 'Test SCIMv2',
    members: [{ value: 'b1c794f24f4c49f4b5d503a4cb2686ea', display: 'SCIM 2 Group A' }],
    meta: { resourceType: 'Group' }
  }).members, [{ value: 'b1c794f24f4c49f4b5d503a4cb2686ea', display: 'SCIM 2 Group A' }])
})

t.test("Entra: the documented create (schema typo, nulls, meta) and the tutorial's (roles: [])", async t => {
  const typo = normaliseUser({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
    externalId: 'jyoung',
    userName: 'jyoung',
    active: true,
    addresses: null,
    displayName: 'Joy Young',
    emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }],
    meta: { resourceType: 'User' },
    name: { familyName: 'Young', givenName: 'Joy' },
    phoneNumbers: null,
    preferredLanguage: null,
    title: null,
    department: null,
    manager: null
  })
  t.same(typo, {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    externalId: 'jyoung',
    userName: 'jyoung',
    active: true,
    displayName: 'Joy Young',
    emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }],
    name: { familyName: 'Young', givenName: 'Joy' }
  })
  t.equal(personOf(typo).email, 'jyoung@Contoso.com')
  const tutorial = normaliseUser({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
    userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
    active: true,
    emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: []
  })
  t.notOk('roles' in tutorial)
  t.notOk('meta' in tutorial)
  t.equal(personOf(tutorial).email, 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com')
})

t.test('Entra: "False" as active, capitalised keys, the manager as a list, a country-only address', async t => {
  const document = normaliseUser({
    UserName: 'deanruiz@testuser.com',
    Active: 'False',
    Emails: [{ Primary: 'True', Type: 'work', Value: 'gloversuzanne@testuser.com' }],
    Addresses: [{ Country: 'ML', Type: 'work', Primary: true }],
    [ENTERPRISE_SCHEMA]: { Department: 'Sales', Manager: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }
  })
  t.same(document, {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    userName: 'deanruiz@testuser.com',
    active: false,
    emails: [{ primary: true, type: 'work', value: 'gloversuzanne@testuser.com' }],
    addresses: [{ country: 'ML', type: 'work', primary: true }],
    [ENTERPRISE_SCHEMA]: { department: 'Sales', manager: { value: 'f648f8d5ea4e4cd38e9c' } }
  })
  t.same(personOf(document).managerId, 'f648f8d5ea4e4cd38e9c')
})

t.test('Entra: group create with the extra Microsoft schema URI and meta', async t => {
  t.same(normaliseGroup({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
    externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
    displayName: 'displayName',
    meta: { resourceType: 'Group' }
  }), { schemas: [GROUP_SCHEMA], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName', members: [] })
})

interface CollectionRequest { folder: string, name: string, method: string, resource: 'Users' | 'Groups', expectedStatus: number, body: unknown }
const collection = JSON.parse(readFileSync(new URL('./fixtures/microsoft-collection-bodies.json', import.meta.url), 'utf8')) as { requests: CollectionRequest[] }

t.test('Microsoft collection: every POST/PUT body it expects to succeed (or to fail on uniqueness) is accepted', async t => {
  const accepted = collection.requests.filter(request => request.expectedStatus !== 400)
  t.equal(accepted.length, 23)
  for (const { folder, name, method, resource, body } of accepted) {
    const label = `${folder} / ${name} (${method} ${resource})`
    if (resource === 'Groups') {
      t.ok(normaliseGroup(body), label)
    } else {
      const document = normaliseUser(body)
      t.ok(personOf(document).email, label)
    }
  }
})

t.test('Microsoft collection: the bodies it expects a 400 for are refused, naming userName', async t => {
  const refused = collection.requests.filter(request => request.expectedStatus === 400)
  t.same(refused.map(request => request.name), ['Post no username', 'Put a user no username'])
  for (const { body } of refused) {
    const error = scimErrorOf(() => normaliseUser(body))
    t.same([error.status, error.scimType, error.message], [400, 'invalidValue', 'userName is required'])
  }
})

t.test('Microsoft collection: what its assertions read back', async t => {
  const byName = (name: string, method = 'POST') => collection.requests.find(request => request.name === name && request.method === method)?.body
  const enterprise = normaliseUser(byName('Post EnterpriseUser'))
  t.same(enterprise[ENTERPRISE_SCHEMA], { department: 'bob', manager: { value: 'SuzzyQ' } }, '"Department" and "Manager": {"Value"}')
  t.equal(normaliseUser(byName('Post emp1 with string "True"')).active, true)
  const omalley = normaliseUser(byName('Put a user OMalley', 'PUT'))
  t.equal(omalley.active, false)
  t.match(JSON.stringify(userResource(omalley, meta)), /Germany/, 'the country name is kept')
  t.same(omalley.addresses?.[1], { country: 'bahams', formatted: '18522 Lisa Unions\nEast Gregory, CT 52311', type: 'other', primary: false })
  const misspelt = userResource(normaliseUser(byName('Put a user misspelled attribute', 'PUT')), meta)
  t.notMatch(JSON.stringify(misspelt), /Addresses/)
  t.ok('adreses' in misspelt, 'the unknown attribute is kept as sent')
  const complex = normaliseUser(byName('create user1'))
  t.equal(complex.emails?.[0].value, 'emailName357', 'kept, so attributes=emails[type eq "work"] finds it')
  t.equal(personOf(complex).email, 'testinghome@bob.com')
  t.equal(normaliseUser(byName('User 2 replace test', 'PUT')).name?.formatted, 'NewName')
  t.same(normaliseGroup(byName('Put replace group3', 'PUT')).members.map(member => member.display), ['VP', 'SenorVP'])
  t.same(normaliseGroup(byName('Post group')).members, [], 'a group without members')
})

t.test('Microsoft collection: its PATCH member shapes, once applied to the document', async t => {
  const group = normaliseGroup({ displayName: 'Group 1', members: ['string id 1', 'string id 2', { displayName: 'new User', value: 'id4' }] })
  t.same(group.members, [{ value: 'string id 1' }, { value: 'string id 2' }, { value: 'id4', display: 'new User' }])
})
