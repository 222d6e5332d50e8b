import t from 'tap'
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from '../schemas.ts'
import { normaliseUser } from './index.ts'
import { scimErrorOf } from './test-helpers.ts'

t.test('a body that is not an object is 400 invalidSyntax', async t => {
  for (const body of [null, 'alice', 42, [{ userName: 'alice' }], undefined]) {
    const error = scimErrorOf(() => normaliseUser(body))
    t.equal(error.status, 400)
    t.equal(error.scimType, 'invalidSyntax')
  }
})

t.test('the smallest user: schemas added, active defaults to true', async t => {
  t.same(normaliseUser({ userName: 'alice@example.com' }), { schemas: [USER_SCHEMA], userName: 'alice@example.com', active: true })
})

t.test('attribute names are canonicalised at every level; unknown ones are kept as sent', async t => {
  const document = normaliseUser({
    USERNAME: 'alice',
    Name: { FamilyName: 'Liddell', givenname: 'Alice', Nickname: 'Al' },
    Emails: [{ Primary: true, TYPE: 'work', Value: 'alice@example.com', Verified: true }],
    PhoneNumbers: [{ value: '+44 20 7946 0000', Type: 'mobile' }],
    ADDRESSES: [{ StreetAddress: '1 Rabbit Hole', Locality: 'Oxford', Region: 'Oxon', PostalCode: 'OX1', Country: 'GB' }],
    PreferredLanguage: 'en-GB',
    externalID: 'okta-1',
    adreses: [{ country: 'bahams' }],
    favouriteColour: 'blue'
  })
  t.same(document, {
    schemas: [USER_SCHEMA],
    userName: 'alice',
    name: { familyName: 'Liddell', givenName: 'Alice', Nickname: 'Al' },
    emails: [{ primary: true, type: 'work', value: 'alice@example.com', Verified: true }],
    phoneNumbers: [{ value: '+44 20 7946 0000', type: 'mobile' }],
    addresses: [{ streetAddress: '1 Rabbit Hole', locality: 'Oxford', region: 'Oxon', postalCode: 'OX1', country: 'GB' }],
    preferredLanguage: 'en-GB',
    externalId: 'okta-1',
    adreses: [{ country: 'bahams' }],
    favouriteColour: 'blue',
    active: true
  })
})

t.test('id, meta, password, groups, null values, "" and empty lists are dropped', async t => {
  const document = normaliseUser({
    id: 'client-chosen',
    meta: { resourceType: 'User', created: '2019-09-18T18:15:26.5788954+00:00' },
    userName: 'alice',
    password: '1mz050nq',
    groups: [{ value: 'g1' }],
    roles: [],
    title: null,
    nickName: '',
    name: { givenName: 'Alice', honorificPrefix: null, middleName: '' },
    addresses: null,
    custom: { nested: null }
  })
  t.same(document, { schemas: [USER_SCHEMA], userName: 'alice', name: { givenName: 'Alice' }, active: true })
})

t.test('non-empty roles and entitlements are kept', async t => {
  const document = normaliseUser({ userName: 'alice', roles: [{ value: 'admin', primary: 'True' }], entitlements: [{ value: 'e1' }] })
  t.same(document.roles, [{ value: 'admin', primary: true }])
  t.same(document.entitlements, [{ value: 'e1' }])
})

t.test('active: booleans, and "True"/"False" in any case; anything else is 400 naming active', async t => {
  t.equal(normaliseUser({ userName: 'a', active: false }).active, false)
  t.equal(normaliseUser({ userName: 'a', active: true }).active, true)
  t.equal(normaliseUser({ userName: 'a', active: 'True' }).active, true)
  t.equal(normaliseUser({ userName: 'a', active: 'False' }).active, false)
  t.equal(normaliseUser({ userName: 'a', active: 'false' }).active, false)
  t.equal(normaliseUser({ userName: 'a', active: 'TRUE' }).active, true)
  t.equal(normaliseUser({ userName: 'a', active: null }).active, true, 'null is absent, so the default')
  for (const active of ['yes', 1, 0, { value: true }, ['true'], 'False ']) {
    const error = scimErrorOf(() => normaliseUser({ userName: 'a', active }))
    t.equal(error.status, 400)
    t.equal(error.scimType, 'invalidValue')
    t.equal(error.message, 'active must be true or false', JSON.stringify(active))
  }
})

t.test('schemas: known URNs kept, unknown ignored, the user schema always first', async t => {
  t.same(normaliseUser({ userName: 'a' }).schemas, [USER_SCHEMA])
  t.same(normaliseUser({ userName: 'a', schemas: ['urn:example:custom', USER_SCHEMA] }).schemas, [USER_SCHEMA])
  t.same(normaliseUser({ userName: 'a', schemas: [ENTERPRISE_SCHEMA, USER_SCHEMA] }).schemas, [USER_SCHEMA, ENTERPRISE_SCHEMA],
    'the enterprise URN listed without attributes is kept')
  t.same(normaliseUser({ userName: 'a', schemas: [USER_SCHEMA.toUpperCase()] }).schemas, [USER_SCHEMA])
  t.same(normaliseUser({ userName: 'a', schemas: USER_SCHEMA }).schemas, [USER_SCHEMA], 'a single string')
  t.same(normaliseUser({ userName: 'a', [ENTERPRISE_SCHEMA]: { department: 'R&D' } }).schemas, [USER_SCHEMA, ENTERPRISE_SCHEMA],
    'the enterprise URN is added when the extension is present')
})

t.test("Entra's misspelt enterprise URN (…:2.0User) is the enterprise URN, in schemas and as a key", async t => {
  const typo = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'
  t.same(normaliseUser({ userName: 'a', schemas: [USER_SCHEMA, typo] }).schemas, [USER_SCHEMA, ENTERPRISE_SCHEMA])
  const document = normaliseUser({ userName: 'a', [typo]: { department: 'Sales' } })
  t.same(document[ENTERPRISE_SCHEMA], { department: 'Sales' })
  t.notOk(typo in document)
})

t.test('enterprise attributes: under the URN key (any case) or flattened with URN-prefixed keys', async t => {
  const nested = normaliseUser({
    userName: 'a',
    [ENTERPRISE_SCHEMA.toLowerCase()]: { Department: 'bob', EmployeeNumber: 701984, CostCenter: '4130', Organization: 'Universal', Division: 'Theme Park', Badge: 'x' }
  })
  t.same(nested[ENTERPRISE_SCHEMA], { department: 'bob', employeeNumber: '701984', costCenter: '4130', organization: 'Universal', division: 'Theme Park', Badge: 'x' })
  const flattened = normaliseUser({
    userName: 'a',
    [`${ENTERPRISE_SCHEMA}:department`]: 'Finance',
    [`${ENTERPRISE_SCHEMA}:Manager.Value`]: 'm-1',
    [ENTERPRISE_SCHEMA]: { costCenter: 'CC1' }
  })
  t.same(flattened[ENTERPRISE_SCHEMA], { department: 'Finance', manager: { value: 'm-1' }, costCenter: 'CC1' })
  t.notOk(`${ENTERPRISE_SCHEMA}:department` in flattened)
  t.same(flattened.schemas, [USER_SCHEMA, ENTERPRISE_SCHEMA])
})

t.test('core attributes may be URN-prefixed or dotted', async t => {
  const document = normaliseUser({
    [`${USER_SCHEMA}:userName`]: 'alice',
    'name.givenName': 'Alice',
    [`${USER_SCHEMA}:name.familyName`]: 'Liddell',
    'emails.value': 'not a complex single attribute, so kept as sent'
  })
  t.same(document, {
    schemas: [USER_SCHEMA],
    userName: 'alice',
    name: { givenName: 'Alice', familyName: 'Liddell' },
    'emails.value': 'not a complex single attribute, so kept as sent',
    active: true
  })
})

t.test('an unknown extension URN key is kept as sent, but not listed in schemas', async t => {
  const custom = 'urn:ietf:params:scim:schemas:extension:CustomExtension:2.0:User'
  const document = normaliseUser({ userName: 'a', schemas: [USER_SCHEMA, custom], [custom]: { badge: '42' } })
  t.same(document[custom], { badge: '42' })
  t.same(document.schemas, [USER_SCHEMA])
})

t.test('manager: {value}, Entra\'s [{$ref, value}], a string, or any casing; "" and null clear it', async t => {
  const managerOf = (manager: unknown): unknown => normaliseUser({ userName: 'a', [ENTERPRISE_SCHEMA]: { manager } })[ENTERPRISE_SCHEMA]?.manager
  t.same(managerOf({ value: 'm-1' }), { value: 'm-1' })
  t.same(managerOf({ Value: 'SuzzyQ' }), { value: 'SuzzyQ' })
  t.same(managerOf([{ $ref: null, value: 'm-2' }]), { value: 'm-2' })
  t.same(managerOf([{ $ref: '../Users/m-3', value: 'm-3', displayName: 'Boss' }]), { $ref: '../Users/m-3', value: 'm-3', displayName: 'Boss' })
  t.same(managerOf('m-4'), { value: 'm-4' })
  t.same(managerOf(['m-5']), { value: 'm-5' })
  t.same(managerOf(1234), { value: '1234' })
  for (const cleared of ['', null, { value: '' }, { value: null }, [], { $ref: 'x' }]) {
    t.equal(managerOf(cleared), undefined, JSON.stringify(cleared))
  }
  const onlyManager = normaliseUser({ userName: 'a', [ENTERPRISE_SCHEMA]: { manager: '' } })
  t.notOk(ENTERPRISE_SCHEMA in onlyManager, 'an extension left empty is dropped')
  t.same(onlyManager.schemas, [USER_SCHEMA])
  const capitalised = normaliseUser({ userName: 'a', [ENTERPRISE_SCHEMA]: { Manager: { Value: 'SuzzyQ' } } })
  t.same(capitalised[ENTERPRISE_SCHEMA], { manager: { value: 'SuzzyQ' } })
})

t.test('multi-valued attributes: a single value is wrapped; bare strings become {value}', async t => {
  t.same(normaliseUser({ userName: 'a', emails: { value: 'a@example.com', type: 'work' } }).emails, [{ value: 'a@example.com', type: 'work' }])
  t.same(normaliseUser({ userName: 'a', emails: 'a@example.com' }).emails, [{ value: 'a@example.com' }])
  t.same(normaliseUser({ userName: 'a', phoneNumbers: ['555-0100', { value: '555-0101' }] }).phoneNumbers, [{ value: '555-0100' }, { value: '555-0101' }])
})

t.test('an element without a value is dropped (a PATCH that cleared it), and a list left empty with it', async t => {
  const document = normaliseUser({ userName: 'a', emails: [{ type: 'work', primary: true, value: '' }, { type: 'home', value: 'h@example.com' }] })
  t.same(document.emails, [{ type: 'home', value: 'h@example.com' }])
  t.notOk('phoneNumbers' in normaliseUser({ userName: 'a', phoneNumbers: [{ type: 'work', value: null }] }))
})

t.test('wrong types are 400 invalidValue naming the attribute', async t => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ userName: 'a', title: true }, 'title must be a string'],
    [{ userName: 'a', title: { text: 'x' } }, 'title must be a string'],
    [{ userName: 'a', name: 'Alice Liddell' }, 'name must be an object'],
    [{ userName: 'a', name: { givenName: ['Alice'] } }, 'name.givenName must be a string'],
    [{ userName: 'a', emails: [true] }, 'emails[0] must be an object'],
    [{ userName: 'a', emails: [{ value: 'a@example.com', primary: 'yes' }] }, 'emails[0].primary must be true or false'],
    [{ userName: 'a', addresses: ['1 Main St'] }, 'addresses[0] must be an object'],
    [{ userName: 'a', [ENTERPRISE_SCHEMA]: { department: ['x'] } }, `${ENTERPRISE_SCHEMA}:department must be a string`],
    [{ userName: 'a', [ENTERPRISE_SCHEMA]: { manager: true } }, `${ENTERPRISE_SCHEMA}:manager must be an object`],
    [{ userName: 'a', [ENTERPRISE_SCHEMA]: 'R&D' }, `${ENTERPRISE_SCHEMA} must be an object`],
    [{ userName: { value: 'a' } }, 'userName must be a string']
  ]
  for (const [body, message] of cases) {
    const error = scimErrorOf(() => normaliseUser(body))
    t.equal(error.status, 400, message)
    t.equal(error.scimType, 'invalidValue', message)
    t.equal(error.message, message)
  }
})

t.test('numbers are accepted where strings are expected', async t => {
  const document = normaliseUser({ userName: 12345, externalId: 987, addresses: [{ country: 'DE' }], phoneNumbers: [5550100] })
  t.equal(document.userName, '12345')
  t.equal(document.externalId, '987')
  t.same(document.phoneNumbers, [{ value: '5550100' }])
})

t.test('normalising a document again changes nothing (PATCH results come back through it)', async t => {
  const once = normaliseUser({
    userName: 'a',
    Emails: [{ Primary: 'True', value: 'a@example.com' }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0User': { Manager: [{ value: 'm' }] }
  })
  t.same(normaliseUser(once), once)
})

t.test('a __proto__ key cannot change a prototype', async t => {
  const document = normaliseUser(JSON.parse('{"userName":"a","__proto__":{"polluted":true},"name":{"__proto__":{"polluted":true}}}'))
  t.equal(({} as Record<string, unknown>).polluted, undefined)
  t.equal(Object.getPrototypeOf(document), Object.prototype)
  t.notOk(Object.hasOwn(document, '__proto__'))
})
