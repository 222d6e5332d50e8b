// The PATCH bodies Microsoft Entra ID sends, with and without the aadOptscim062020 flag (scim.md §2).
import t from 'tap'
import { ENTERPRISE_SCHEMA, errorOf, group, patchGroup, patchUser, user } from './test-fixtures.ts'

t.test('deactivate without the flag: Replace active "False", kept as a string for the caller to coerce', async t => {
  t.equal(patchUser(user(), { op: 'Replace', path: 'active', value: 'False' }).active, 'False')
})

t.test('deactivate with the flag: replace active false', async t => {
  t.equal(patchUser(user(), { op: 'replace', path: 'active', value: false }).active, false)
})

t.test('profile update: one op per attribute, Add where there was no value, Replace otherwise', async t => {
  const patched = patchUser({ userName: 'x', emails: [{ primary: true, type: 'work', value: 'old@joe.com' }] },
    { op: 'Replace', path: 'title', value: 'tester' },
    { op: 'Add', path: 'emails[type eq "work"].value', value: 'new@joe.com' },
    { op: 'Add', path: 'name.givenName', value: 'Bar' },
    { op: 'Replace', path: 'name.familyName', value: 'Foo2' },
    { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
    { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
    { op: 'Replace', path: 'addresses[type eq "work"].postalCode', value: '98052' },
    { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'IT' })
  t.same(patched, {
    userName: 'x',
    emails: [{ primary: true, type: 'work', value: 'new@joe.com' }],
    title: 'tester',
    name: { givenName: 'Bar', familyName: 'Foo2' },
    phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }],
    addresses: [{ type: 'work', locality: 'Redmond', postalCode: '98052' }],
    [ENTERPRISE_SCHEMA]: { department: 'IT' }
  })
})

t.test('a Replace of emails[type eq "work"].value when the user has no work email creates it', async t => {
  t.same(patchUser({ userName: 'x' }, { op: 'Replace', path: 'emails[type eq "work"].value', value: 'a@x' }).emails, [{ type: 'work', value: 'a@x' }])
})

t.test('roles[primary eq true].value creates {primary: true, value} with the boolean from the filter', async t => {
  t.same(patchUser({ userName: 'x' }, { op: 'Replace', path: 'roles[primary eq true].value', value: 'Admin' }).roles, [{ primary: true, value: 'Admin' }])
})

t.test('the flag format: one no-path op with dotted and URN keys', async t => {
  const patched = patchUser(user(), {
    op: 'replace',
    value: {
      displayName: 'Barbara Smith',
      'name.givenName': 'Barbara',
      'name.familyName': 'Smith',
      'emails[type eq "work"].value': 'bsmith@example.com',
      active: false,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': '701984',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager': '26118915-6090-4610-87e4-49d8ca9f808e'
    }
  })
  t.same(patched, {
    ...user(),
    displayName: 'Barbara Smith',
    name: { givenName: 'Barbara', familyName: 'Smith' },
    emails: [{ value: 'bsmith@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }],
    active: false,
    [ENTERPRISE_SCHEMA]: { department: 'Tour Operations', manager: '26118915-6090-4610-87e4-49d8ca9f808e', employeeNumber: '701984' }
  })
})

t.test('capitalised names: "Department", manager {"Value"} and emails[…].Value', async t => {
  const patched = patchUser(user(),
    { op: 'Add', path: `${ENTERPRISE_SCHEMA}:Department`, value: 'IT' },
    { op: 'Replace', path: `${ENTERPRISE_SCHEMA}:Manager`, value: { Value: 'M2' } },
    { op: 'Replace', path: 'emails[type eq "home"].Value', value: 'h@x' })
  t.same(patched[ENTERPRISE_SCHEMA], { department: 'IT', manager: { value: 'M2' } })
  t.same((patched.emails as unknown[])[1], { value: 'h@x', type: 'home' })
})

t.test('manager: set with Add, changed with Replace, removed with Replace ""', async t => {
  let document = patchUser({ userName: 'x' }, { op: 'Add', path: `${ENTERPRISE_SCHEMA}:manager`, value: 'M1' })
  t.same(document[ENTERPRISE_SCHEMA], { manager: 'M1' })
  document = patchUser(document, { op: 'Replace', path: `${ENTERPRISE_SCHEMA}:manager`, value: 'M2' })
  t.same(document[ENTERPRISE_SCHEMA], { manager: 'M2' })
  t.same(patchUser(document, { op: 'Replace', path: 'manager', value: '' }), { userName: 'x' })
  t.same(patchUser(document, { op: 'Replace', path: `${ENTERPRISE_SCHEMA}:manager`, value: '' }), { userName: 'x' })
  t.same(patchUser({ userName: 'x' }, { op: 'Add', path: `${ENTERPRISE_SCHEMA}:manager`, value: [{ $ref: '../Users/M1', value: 'M1' }] })[ENTERPRISE_SCHEMA],
    { manager: [{ $ref: '../Users/M1', value: 'M1' }] }, 'the array form is kept as sent, for the caller to canonicalise')
  t.same(patchUser({ userName: 'x', [ENTERPRISE_SCHEMA]: { manager: [{ value: 'M1' }] } }, { op: 'Add', path: `${ENTERPRISE_SCHEMA}:manager`, value: { value: 'M2' } })[ENTERPRISE_SCHEMA],
    { manager: { value: 'M2' } }, 'manager is single-valued even when stored as an array')
})

t.test('null update: Replace with "" unassigns an attribute', async t => {
  t.notOk('title' in patchUser(user(), { op: 'Replace', path: 'title', value: '' }))
})

t.test('group members: Add with a [{value}] array, several at once', async t => {
  t.same(patchGroup(group('u1'), { op: 'Add', path: 'members', value: [{ value: 'u2' }, { value: 'u3' }] }).members,
    [{ value: 'u1', display: 'User u1' }, { value: 'u2' }, { value: 'u3' }])
  t.same(patchGroup(group('u1'), { op: 'Add', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }, { value: 'u2' }] }).members,
    [{ value: 'u1', display: 'User u1' }, { value: 'u2' }], 'a member already there, or sent twice, is added once')
  t.same(patchGroup(group('abc'), { op: 'Add', path: 'members', value: [{ value: 'ABC' }] }).members,
    [{ value: 'abc', display: 'User abc' }, { value: 'ABC' }], 'member ids are case-exact')
  t.same(patchGroup({ displayName: 'G' }, { op: 'Add', path: 'members', value: [{ value: 'u1' }] }), { displayName: 'G', members: [{ value: 'u1' }] },
    'into a group created with no members')
})

t.test('group members: Remove with a value array (without the flag)', async t => {
  t.same(patchGroup(group('u1', 'u2', 'u3'), { op: 'Remove', path: 'members', value: [{ value: 'u1' }, { value: 'u3' }] }).members,
    [{ value: 'u2', display: 'User u2' }])
  t.same(patchGroup(group('u1'), { op: 'Remove', path: 'members', value: [{ value: 'U1' }] }).members, [{ value: 'u1', display: 'User u1' }], 'case-exact')
  t.same(patchGroup(group('u1'), { op: 'Remove', path: 'members', value: [{ value: 'nobody' }] }), group('u1'), 'an absent member: no error')
  t.same(patchGroup(group('u1', 'u2'), { op: 'Remove', path: 'members', value: ['u2'] }).members, [{ value: 'u1', display: 'User u1' }], 'bare ids')
})

t.test('group members: Remove members[value eq "…"] (with the flag)', async t => {
  t.same(patchGroup(group('u1', 'u2'), { op: 'Remove', path: 'members[value eq "u1"]' }).members, [{ value: 'u2', display: 'User u2' }])
  t.same(patchGroup(group('u1', 'u2'), { op: 'Remove', path: 'members[value eq "U1"]' }), group('u1', 'u2'), 'case-exact')
})

t.test('group rename: Replace displayName', async t => {
  t.equal(patchGroup(group(), { op: 'Replace', path: 'displayName', value: 'Renamed' }).displayName, 'Renamed')
})

t.test('a failing Entra op reports the operation and its path', async t => {
  t.match(errorOf(() => patchUser(user(), { op: 'Replace', path: 'emails[type eq "work"].value', value: 'x' }, { op: 'Replace', path: 'emails[type eq "other"]', value: { value: 'y' } })),
    { status: 400, scimType: 'noTarget', message: /^Operations\[1\]: path "emails\[type eq "other"\]" matches no value$/ })
})
