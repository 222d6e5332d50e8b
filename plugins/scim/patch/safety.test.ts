// What a PATCH can never do: change id or meta, reach a prototype, or leave a half-applied document.
import t from 'tap'
import { ScimError } from '../errors.ts'
import { applyPatch } from './index.ts'
import { body, errorOf, group, patchGroup, patchUser, user, USER_ID, userTarget } from './test-fixtures.ts'

t.test('a path of id or meta is 400 mutability', async t => {
  for (const path of ['id', 'ID', 'meta', 'meta.lastModified', 'urn:ietf:params:scim:schemas:core:2.0:User:id']) {
    for (const op of ['add', 'replace', 'remove']) {
      t.match(errorOf(() => patchUser(user(), { op, path, value: 'x' })),
        { status: 400, scimType: 'mutability', message: /is assigned by the server and cannot be changed/ }, `${op} ${path}`)
    }
  }
})

t.test('no-path values: an id equal to the resource\'s is ignored, another is 400 mutability, meta is ignored', async t => {
  t.same(patchUser(user(), { op: 'replace', value: { id: USER_ID, title: 'Lead' } }), { ...user(), title: 'Lead' })
  t.same(patchUser(user(), { op: 'replace', value: { meta: { version: 'W/"1"' }, Meta: {}, title: 'Lead' } }), { ...user(), title: 'Lead' })
  t.match(errorOf(() => patchUser(user(), { op: 'add', value: { Id: 'x' } })), { status: 400, scimType: 'mutability', message: /"id" cannot be changed/ })
  t.match(errorOf(() => patchUser(user(), { op: 'replace', value: { id: 7 } })), { scimType: 'mutability' }, 'not the same JSON value')
})

t.test('prototype names are refused as attribute names: 400 invalidPath', async t => {
  const operations: unknown[] = [
    { op: 'add', path: 'constructor', value: { prototype: { polluted: true } } },
    { op: 'add', path: 'name.constructor', value: 'x' },
    { op: 'replace', path: 'emails[type eq "work"].prototype', value: 'x' },
    { op: 'add', path: 'emails[constructor eq "x"].value', value: 'x' },
    { op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:constructor', value: 'x' },
    { op: 'replace', value: { constructor: { prototype: { polluted: true } } } },
    { op: 'replace', value: JSON.parse('{"__proto__": {"polluted": true}}') },
    { op: 'add', path: 'name', value: JSON.parse('{"__proto__": {"polluted": true}}') },
    { op: 'add', path: 'emails', value: JSON.parse('[{"value": "a", "x": {"__proto__": {"polluted": true}}}]') }
  ]
  for (const operation of operations) {
    const error = errorOf(() => patchUser(user(), operation))
    t.ok(error instanceof ScimError, JSON.stringify(operation))
    t.match(error, { status: 400, scimType: 'invalidPath', message: /is not allowed as an attribute name/ }, JSON.stringify(operation))
  }
  t.match(errorOf(() => patchUser(user(), { op: 'add', path: '__proto__.polluted', value: true })), { status: 400, scimType: 'invalidPath' }, 'the parser refuses it too')
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched')
})

t.test('names of Object.prototype\'s members are ordinary attributes, never read from the prototype', async t => {
  const patched = patchUser({ userName: 'x' }, { op: 'add', path: 'toString.value', value: 'v' }, { op: 'add', path: 'hasOwnProperty', value: 'h' })
  t.same(patched, { userName: 'x', toString: { value: 'v' }, hasOwnProperty: 'h' })
})

t.test('a document key named __proto__ is copied as data, not as a prototype', async t => {
  const document = JSON.parse('{"userName": "x", "__proto__": {"polluted": true}}') as Record<string, unknown>
  const patched = patchUser(document, { op: 'replace', path: 'title', value: 'T' })
  t.equal(Object.getPrototypeOf(patched), Object.prototype)
  t.equal((patched as { polluted?: unknown }).polluted, undefined)
})

t.test('all-or-nothing: a failing later op leaves the input as it was and returns nothing', async t => {
  const failures: Array<[unknown, string]> = [
    [{ op: 'replace', path: 'emails[type eq "other"]', value: { value: 'x' } }, 'noTarget'],
    [{ op: 'replace', path: 'id', value: 'x' }, 'mutability'],
    [{ op: 'remove' }, 'noTarget'],
    [{ op: 'add', path: 'urn:example:unknown:attr', value: 'x' }, 'invalidPath'],
    [{ op: 'replace', value: 'not an object' }, 'invalidValue'],
    [{ op: 'jump', path: 'title' }, 'invalidSyntax']
  ]
  for (const [failing, scimType] of failures) {
    const document = user()
    const error = errorOf(() => patchUser(document,
      { op: 'replace', path: 'title', value: 'Changed' },
      { op: 'add', path: 'emails', value: { value: 'new@x.org', primary: true } },
      { op: 'remove', path: 'name.familyName' },
      { op: 'replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: '' },
      failing))
    t.match(error, { status: 400, scimType }, JSON.stringify(failing))
    t.same(document, user(), `${JSON.stringify(failing)}: input unchanged`)
  }
})

t.test('a success leaves the input untouched and returns a copy that shares nothing with the input or the body', async t => {
  const document = group('u1')
  const members = [{ value: 'u2', display: 'B' }]
  const sent = body({ op: 'add', path: 'members', value: members })
  const patched = applyPatch(document, sent, { coreSchema: 'urn:ietf:params:scim:schemas:core:2.0:Group', extensions: [], id: 'g' })
  t.same(document, group('u1'))
  t.not(patched.members, document.members)
  members[0].value = 'changed later'
  t.same(patched.members, [{ value: 'u1', display: 'User u1' }, { value: 'u2', display: 'B' }])
  ;(patched.members as Array<{ value: string }>)[0].value = 'x'
  t.same(document, group('u1'))
})

t.test('operations apply in order, each seeing the ones before', async t => {
  t.same(patchGroup(group(),
    { op: 'add', path: 'members', value: [{ value: 'u1' }] },
    { op: 'replace', path: 'members[value eq "u1"].display', value: 'One' },
    { op: 'remove', path: 'members[display eq "one"]' },
    { op: 'add', path: 'members', value: 'u2' }).members, [{ value: 'u2' }])
  t.equal(patchUser(user(), { op: 'replace', path: 'title', value: 'A' }, { op: 'replace', path: 'title', value: 'B' }).title, 'B')
})

t.test('an unexpected failure is not disguised as a SCIM error', async t => {
  const error = errorOf(() => applyPatch(user(), body({ op: 'add', path: 'title', value: 'x' }), { ...userTarget, extensions: null as unknown as string[] }))
  t.ok(error instanceof TypeError)
})
