// RFC 7644 §3.5.2 on a User: paths, add, replace, remove, case-insensitive names.
import t from 'tap'
import { emailsOf, ENTERPRISE_SCHEMA, errorOf, patchUser, user, USER_SCHEMA } from './test-fixtures.ts'

const MANAGER_ID = '26118915-6090-4610-87e4-49d8ca9f808d'

t.test('add and replace set a single-valued attribute, keeping the value as sent', async t => {
  t.equal(patchUser(user(), { op: 'add', path: 'nickName', value: 'Babs' }).nickName, 'Babs')
  t.equal(patchUser(user(), { op: 'replace', path: 'title', value: 'Lead' }).title, 'Lead')
  t.equal(patchUser(user(), { op: 'add', path: 'title', value: 'Lead' }).title, 'Lead', 'add on a set single value replaces it')
  t.equal(patchUser(user(), { op: 'replace', path: 'active', value: 'False' }).active, 'False', 'no coercion here')
  t.equal(patchUser(user(), { op: 'replace', path: 'nickName', value: 'Babs' }).nickName, 'Babs', 'replace of an absent attribute adds it')
})

t.test('a complex attribute: an object value merges into it; a sub-attribute path sets one', async t => {
  t.same(patchUser(user(), { op: 'replace', path: 'name', value: { familyName: 'Smith', middleName: 'J' } }).name,
    { givenName: 'Barbara', familyName: 'Smith', middleName: 'J' }, 'sub-attributes not sent are left unchanged')
  t.same(patchUser(user(), { op: 'add', path: 'name', value: { honorificPrefix: 'Ms.' } }).name,
    { givenName: 'Barbara', familyName: 'Jensen', honorificPrefix: 'Ms.' })
  t.same(patchUser(user(), { op: 'replace', path: 'name.familyName', value: 'Smith' }).name, { givenName: 'Barbara', familyName: 'Smith' })
  t.same(patchUser({ userName: 'x' }, { op: 'add', path: 'name.givenName', value: 'Ann' }).name, { givenName: 'Ann' }, 'created when absent')
  t.same(patchUser(user(), { op: 'replace', path: 'name', value: { familyName: null } }).name, { givenName: 'Barbara' }, 'null in a merged object unassigns that sub-attribute')
})

t.test('attribute and sub-attribute names ignore case: an existing key keeps its casing, a new one is written as given', async t => {
  const patched = patchUser(user(),
    { op: 'Replace', path: 'name.FamilyName', value: 'Smith' },
    { op: 'Replace', path: 'Title', value: 'Lead' },
    { op: 'Replace', path: 'emails[Type eq "work"].Value', value: 'new@example.com' },
    { op: 'Add', path: 'NickName', value: 'Babs' },
    { op: 'Add', path: 'name.MiddleName', value: 'J' })
  t.same(patched.name, { givenName: 'Barbara', familyName: 'Smith', MiddleName: 'J' })
  t.equal(patched.title, 'Lead')
  t.notOk('Title' in patched)
  t.same((patched.emails as unknown[])[0], { value: 'new@example.com', type: 'work', primary: true })
  t.equal(patched.NickName, 'Babs', 'left for the caller to canonicalise')
  const capitalised = patchUser({ userName: 'x', Name: { GivenName: 'A' } }, { op: 'replace', path: 'name.givenName', value: 'B' })
  t.same(capitalised, { userName: 'x', Name: { GivenName: 'B' } })
})

t.test('URN-prefixed paths: the core schema is the plain attribute, an extension its object', async t => {
  t.equal(patchUser(user(), { op: 'replace', path: `${USER_SCHEMA}:userName`, value: 'babs' }).userName, 'babs')
  t.same(patchUser(user(), { op: 'replace', path: `${USER_SCHEMA}:name.givenName`, value: 'Babs' }).name, { givenName: 'Babs', familyName: 'Jensen' })
  const patched = patchUser(user(), { op: 'add', path: `${ENTERPRISE_SCHEMA}:employeeNumber`, value: '701984' })
  t.same(patched[ENTERPRISE_SCHEMA], { department: 'Tour Operations', manager: { value: MANAGER_ID }, employeeNumber: '701984' })
  t.notOk('employeeNumber' in patched)
  t.same(patchUser({ userName: 'x' }, { op: 'add', path: `${ENTERPRISE_SCHEMA}:department`, value: 'IT' }),
    { userName: 'x', [ENTERPRISE_SCHEMA]: { department: 'IT' } }, 'the extension object is created')
  t.same(patchUser(user(), { op: 'replace', path: `${ENTERPRISE_SCHEMA}:manager.value`, value: 'M2' })[ENTERPRISE_SCHEMA],
    { department: 'Tour Operations', manager: { value: 'M2' } })
  t.same(patchUser(user(), { op: 'replace', path: `${ENTERPRISE_SCHEMA.toLowerCase()}:Department`, value: 'IT' })[ENTERPRISE_SCHEMA],
    { department: 'IT', manager: { value: MANAGER_ID } }, 'URN and name in any case')
  t.same(patchUser({ userName: 'x', [ENTERPRISE_SCHEMA]: { manager: 'M1' } }, { op: 'add', path: `${ENTERPRISE_SCHEMA}:manager.value`, value: 'M2' })[ENTERPRISE_SCHEMA],
    { manager: { value: 'M2' } }, 'a manager stored as a string becomes an object')
})

t.test('an unknown schema URN is 400 invalidPath', async t => {
  t.match(errorOf(() => patchUser(user(), { op: 'add', path: 'urn:ietf:params:scim:schemas:extension:custom:2.0:User:costCode', value: '1' })),
    { status: 400, scimType: 'invalidPath', message: /unknown schema "urn:ietf:params:scim:schemas:extension:custom:2.0:User"/ })
  t.match(errorOf(() => patchUser(user(), { op: 'add', path: 'urn:ietf:params:scim:schemas:core:2.0:Group:displayName', value: '1' })),
    { scimType: 'invalidPath' }, 'another resource type\'s schema')
})

t.test('a path that is only an extension URN applies its object value to that extension', async t => {
  t.same(patchUser(user(), { op: 'add', path: ENTERPRISE_SCHEMA, value: { employeeNumber: '7', Department: 'IT' } })[ENTERPRISE_SCHEMA],
    { department: 'IT', manager: { value: MANAGER_ID }, employeeNumber: '7' })
  t.same(patchUser(user(), { op: 'replace', path: ENTERPRISE_SCHEMA, value: { manager: { value: 'M2' } } })[ENTERPRISE_SCHEMA],
    { department: 'Tour Operations', manager: { value: 'M2' } }, 'replace merges, like any complex value')
  t.notOk(ENTERPRISE_SCHEMA in patchUser(user(), { op: 'replace', path: ENTERPRISE_SCHEMA, value: null }), 'null clears it')
  t.notOk(ENTERPRISE_SCHEMA in patchUser(user(), { op: 'remove', path: ENTERPRISE_SCHEMA }), 'remove removes it')
  t.match(errorOf(() => patchUser(user(), { op: 'add', path: ENTERPRISE_SCHEMA, value: 'IT' })), { status: 400, scimType: 'invalidValue' })
  t.same(patchUser(user(), { op: 'replace', path: USER_SCHEMA, value: { title: 'Lead' } }).title, 'Lead', 'the core URN alone is the whole resource')
  t.match(errorOf(() => patchUser(user(), { op: 'remove', path: USER_SCHEMA })), { status: 400, scimType: 'noTarget' })
})

t.test('an extension attribute written without its URN goes to the extension (Entra sends a bare manager)', async t => {
  t.same(patchUser(user(), { op: 'replace', path: 'department', value: 'IT' })[ENTERPRISE_SCHEMA], { department: 'IT', manager: { value: MANAGER_ID } })
  t.same(patchUser({ userName: 'x' }, { op: 'add', path: 'manager', value: { value: 'M1' } }), { userName: 'x', [ENTERPRISE_SCHEMA]: { manager: { value: 'M1' } } })
  t.same(patchUser({ userName: 'x', department: 'core' }, { op: 'replace', path: 'department', value: 'IT' }), { userName: 'x', department: 'IT' },
    'an attribute already in the core document stays there')
})

t.test('replace with null or "" unassigns; the manager can be set, changed and removed', async t => {
  t.notOk('title' in patchUser(user(), { op: 'replace', path: 'title', value: '' }))
  t.notOk('title' in patchUser(user(), { op: 'replace', path: 'title', value: null }))
  t.notOk('name' in patchUser(user(), { op: 'replace', path: 'name', value: null }))
  t.same(patchUser(user(), { op: 'replace', path: 'name.givenName', value: '' }).name, { familyName: 'Jensen' })
  let document = patchUser({ userName: 'x' }, { op: 'Add', path: `${ENTERPRISE_SCHEMA}:manager`, value: 'M1' })
  t.same(document[ENTERPRISE_SCHEMA], { manager: 'M1' }, 'a string, kept as sent')
  document = patchUser(document, { op: 'Replace', path: `${ENTERPRISE_SCHEMA}:manager`, value: { value: 'M2' } })
  t.same(document[ENTERPRISE_SCHEMA], { manager: { value: 'M2' } })
  t.same(patchUser(document, { op: 'Replace', path: 'manager', value: '' }), { userName: 'x' }, 'removed, and the emptied extension object with it')
  t.same(patchUser(document, { op: 'Replace', path: `${ENTERPRISE_SCHEMA}:manager`, value: null }), { userName: 'x' })
  t.same(patchUser(user(), { op: 'replace', path: 'emails', value: [] }).emails, undefined, 'an empty list unassigns')
})

t.test('remove: an attribute, a sub-attribute, something absent', async t => {
  t.notOk('title' in patchUser(user(), { op: 'remove', path: 'title' }))
  t.same(patchUser(user(), { op: 'remove', path: 'name.familyName' }).name, { givenName: 'Barbara' })
  t.notOk('name' in patchUser(user(), { op: 'remove', path: 'name.familyName' }, { op: 'remove', path: 'name.givenName' }), 'an emptied complex attribute goes')
  t.same(patchUser(user(), { op: 'remove', path: 'nickName' }), user(), 'absent attribute: no error, no change')
  t.same(patchUser(user(), { op: 'remove', path: 'name.middleName' }), user())
  t.same(patchUser(user(), { op: 'remove', path: 'emails[type eq "other"]' }), user())
  t.same(patchUser({ userName: 'x' }, { op: 'remove', path: `${ENTERPRISE_SCHEMA}:manager` }), { userName: 'x' }, 'absent extension')
  t.same(patchUser(user(), { op: 'remove', path: `${ENTERPRISE_SCHEMA}:manager.value` })[ENTERPRISE_SCHEMA], { department: 'Tour Operations' })
  t.same(patchUser(user(), { op: 'remove', path: 'emails.type' }).emails,
    [{ value: 'bjensen@example.com', primary: true }, { value: 'babs@jensen.org' }], 'a sub-attribute of a list, from every element')
})

t.test('remove without a path is 400 noTarget', async t => {
  t.match(errorOf(() => patchUser(user(), { op: 'remove' })), { status: 400, scimType: 'noTarget', message: /^Operations\[0\]: "remove" needs a "path"$/ })
  t.match(errorOf(() => patchUser(user(), { op: 'remove', value: { title: 'x' } })), { status: 400, scimType: 'noTarget' })
})

t.test('multi-valued add appends one value or several, skipping values already there', async t => {
  t.same(emailsOf(patchUser(user(), { op: 'add', path: 'emails', value: { value: 'b@x.org', type: 'other' } })).map(e => e.value),
    ['bjensen@example.com', 'babs@jensen.org', 'b@x.org'])
  t.same(emailsOf(patchUser(user(), { op: 'add', path: 'emails', value: [{ value: 'b@x.org' }, { value: 'c@x.org' }] })).length, 4)
  t.same(patchUser(user(), { op: 'add', path: 'emails', value: [{ value: 'BJensen@example.com', type: 'Work' }] }).emails, user().emails,
    'the same value and type is not added twice')
  t.same(emailsOf(patchUser(user(), { op: 'add', path: 'emails', value: { value: 'bjensen@example.com', type: 'home' } })).length, 3,
    'another type is another value')
  t.same(patchUser({ userName: 'x' }, { op: 'add', path: 'phoneNumbers', value: [{ value: '555', type: 'work' }] }).phoneNumbers,
    [{ value: '555', type: 'work' }], 'created when absent')
  t.same(patchUser(user(), { op: 'add', path: 'emails', value: [] }), user(), 'nothing to add')
  t.same(patchUser(user(), { op: 'add', path: 'schemas', value: ['urn:example:x', USER_SCHEMA] }).schemas,
    [USER_SCHEMA, ENTERPRISE_SCHEMA, 'urn:example:x'], 'a list of simple values')
  t.same(patchUser({ userName: 'x', tags: ['a'] }, { op: 'add', path: 'tags', value: 'b' }).tags, ['a', 'b'],
    'an attribute stored as a list is multi-valued')
})

t.test('a value set primary makes the others not primary (RFC 7644 §3.5.2)', async t => {
  t.same(patchUser(user(), { op: 'add', path: 'emails', value: { value: 'new@x.org', type: 'other', primary: true } }).emails, [
    { value: 'bjensen@example.com', type: 'work', primary: false },
    { value: 'babs@jensen.org', type: 'home' },
    { value: 'new@x.org', type: 'other', primary: true }
  ])
  t.same(patchUser(user(), { op: 'replace', path: 'emails[type eq "home"].primary', value: true }).emails, [
    { value: 'bjensen@example.com', type: 'work', primary: false },
    { value: 'babs@jensen.org', type: 'home', primary: true }
  ])
  t.same(emailsOf(patchUser(user(), { op: 'add', path: 'emails', value: { value: 'new@x.org', primary: 'True' } }))[0],
    { value: 'bjensen@example.com', type: 'work', primary: false }, '"True" as sent counts')
})

t.test('a multi-valued replace without a filter sets the whole list', async t => {
  t.same(patchUser(user(), { op: 'replace', path: 'emails', value: [{ value: 'only@x.org', type: 'work' }] }).emails, [{ value: 'only@x.org', type: 'work' }])
  t.same(patchUser(user(), { op: 'replace', path: 'emails', value: { value: 'only@x.org' } }).emails, [{ value: 'only@x.org' }], 'one object is a list of one')
  t.same(patchUser(user(), { op: 'replace', path: 'emails', value: [{ value: 'a@x' }, { value: 'A@x' }] }).emails, [{ value: 'a@x' }], 'without repeats')
  t.notOk('emails' in patchUser(user(), { op: 'replace', path: 'emails', value: null }))
})

t.test('value filter with a sub-attribute: set on every match, created from the filter when none match', async t => {
  const twoWork = { userName: 'x', emails: [{ value: 'a@x', type: 'work' }, { value: 'b@x', type: 'WORK' }, { value: 'c@x', type: 'home' }] }
  t.same(patchUser(twoWork, { op: 'replace', path: 'emails[type eq "work"].display', value: 'W' }).emails,
    [{ value: 'a@x', type: 'work', display: 'W' }, { value: 'b@x', type: 'WORK', display: 'W' }, { value: 'c@x', type: 'home' }])
  for (const op of ['add', 'replace', 'Add', 'Replace']) {
    t.same(patchUser(user(), { op, path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555' }).phoneNumbers,
      [{ type: 'mobile', value: '+1 555' }], `${op} creates the element`)
  }
  t.same(emailsOf(patchUser(user(), { op: 'replace', path: 'emails[type eq "other" and primary eq false].value', value: 'o@x' }))[2],
    { type: 'other', primary: false, value: 'o@x' }, 'every eq of an and, values typed as in the filter')
  t.same(patchUser(user(), { op: 'replace', path: 'emails[type eq "other"].value', value: null }), user(), 'clearing what does not exist creates nothing')
  t.same(emailsOf(patchUser(user(), { op: 'replace', path: 'emails[type eq "home"].value', value: '' }))[1], { type: 'home' }, '"" removes the sub-attribute')
})

t.test('value filter with a sub-attribute that describes no element: 400 noTarget', async t => {
  for (const filter of ['type ne "work"', 'type eq "x" or type eq "y"', 'value co "x"', 'not (type eq "x")', 'type pr']) {
    t.match(errorOf(() => patchUser(user(), { op: 'add', path: `addresses[${filter}].locality`, value: 'Oslo' })),
      { status: 400, scimType: 'noTarget', message: /matches no value, and a value can only be created from "eq" comparisons joined by "and"/ }, filter)
  }
})

t.test('value filter without a sub-attribute: replace swaps matching elements, add merges into them', async t => {
  t.same(emailsOf(patchUser(user(), { op: 'replace', path: 'emails[type eq "home"]', value: { value: 'new@home', type: 'home' } }))[1], { value: 'new@home', type: 'home' })
  t.match(errorOf(() => patchUser(user(), { op: 'replace', path: 'emails[type eq "other"]', value: { value: 'o@x' } })),
    { status: 400, scimType: 'noTarget', message: /^Operations\[0\]: path "emails\[type eq "other"\]" matches no value$/ })
  t.same(emailsOf(patchUser(user(), { op: 'add', path: 'emails[type eq "home"]', value: { display: 'Home' } }))[1], { value: 'babs@jensen.org', type: 'home', display: 'Home' })
  t.same(emailsOf(patchUser(user(), { op: 'add', path: 'emails[type eq "other"]', value: { value: 'o@x' } }))[2], { type: 'other', value: 'o@x' }, 'add creates')
  t.same(patchUser(user(), { op: 'replace', path: 'emails[type eq "home"]', value: null }).emails, [emailsOf(user())[0]], 'null removes the matches')
  t.match(errorOf(() => patchUser(user(), { op: 'replace', path: 'emails[type eq "home"]', value: [{ value: 'a' }, { value: 'b' }] })),
    { status: 400, scimType: 'invalidValue' }, 'two values for one place')
})

t.test('remove with a value filter removes the matching elements, or their sub-attribute', async t => {
  t.same(patchUser(user(), { op: 'remove', path: 'emails[type eq "home"]' }).emails, [emailsOf(user())[0]])
  t.notOk('emails' in patchUser(user(), { op: 'remove', path: 'emails[value ew "example.com" or value ew ".org"]' }), 'an emptied list goes')
  t.same(emailsOf(patchUser(user(), { op: 'remove', path: 'emails[type eq "work"].primary' }))[0], { value: 'bjensen@example.com', type: 'work' })
})

t.test('a value filter on an attribute that holds no list is 400 invalidPath', async t => {
  t.match(errorOf(() => patchUser(user(), { op: 'replace', path: 'name[givenName eq "Barbara"].familyName', value: 'x' })),
    { status: 400, scimType: 'invalidPath', message: /a value filter needs a multi-valued attribute, and "name" is not one/ })
  t.match(errorOf(() => patchUser(user(), { op: 'remove', path: 'title[value eq "x"]' })), { status: 400, scimType: 'invalidPath' })
})

t.test('no path: each key of the value is a path, dotted or URN-prefixed, or an extension URN with an object', async t => {
  const patched = patchUser(user(), {
    op: 'replace',
    value: {
      title: 'Lead',
      'name.givenName': 'Babs',
      [`${ENTERPRISE_SCHEMA}:employeeNumber`]: '7',
      [`${ENTERPRISE_SCHEMA}:manager`]: { value: 'M2' },
      emails: [{ value: 'only@x.org' }]
    }
  })
  t.equal(patched.title, 'Lead')
  t.same(patched.name, { givenName: 'Babs', familyName: 'Jensen' })
  t.same(patched[ENTERPRISE_SCHEMA], { department: 'Tour Operations', manager: { value: 'M2' }, employeeNumber: '7' })
  t.same(patched.emails, [{ value: 'only@x.org' }], 'replace sets the whole list')
  t.same(emailsOf(patchUser(user(), { op: 'add', value: { emails: [{ value: 'b@x.org' }] } })).length, 3, 'add appends')
  t.same(patchUser(user(), { op: 'add', value: { [ENTERPRISE_SCHEMA]: { division: 'North' } } })[ENTERPRISE_SCHEMA],
    { department: 'Tour Operations', manager: { value: MANAGER_ID }, division: 'North' }, 'an extension URN key merges its object')
  t.same(patchUser(user(), { op: 'replace', value: { name: { familyName: 'Smith' } } }).name, { givenName: 'Barbara', familyName: 'Smith' })
  t.notOk('title' in patchUser(user(), { op: 'replace', value: { title: null } }), 'null unassigns here too')
})

t.test('no path: the value must be an object', async t => {
  for (const value of ['x', 1, [{ title: 'x' }], null]) {
    t.match(errorOf(() => patchUser(user(), { op: 'replace', value })),
      { status: 400, scimType: 'invalidValue', message: /^Operations\[0\]: value must be an object of attributes when there is no path$/ }, JSON.stringify(value))
  }
})
