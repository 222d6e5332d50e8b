import t from 'tap'
import { ScimError } from '../errors.ts'
import { applyPatch } from './index.ts'
import { body, errorOf, PATCH_OP, patchUser, user, userTarget, USER_SCHEMA } from './test-fixtures.ts'

const replaceTitle = { op: 'replace', path: 'title', value: 'Guide' }

t.test('a body that is not an object with a non-empty Operations array is 400 invalidSyntax naming Operations', async t => {
  const bodies: unknown[] = [null, undefined, 'Operations', 42, [replaceTitle], {}, { schemas: [PATCH_OP] },
    { schemas: [PATCH_OP], Operations: replaceTitle }, { schemas: [PATCH_OP], Operations: [] }, { schemas: [PATCH_OP], Operations: 'add' }]
  for (const sent of bodies) {
    const error = errorOf(() => applyPatch(user(), sent, userTarget))
    t.ok(error instanceof ScimError, `${JSON.stringify(sent)}: a ScimError`)
    t.match(error, { status: 400, scimType: 'invalidSyntax', message: /Operations/ }, JSON.stringify(sent))
  }
})

t.test('schemas may be missing or carry extra URIs, but if sent must contain the PatchOp URN', async t => {
  t.equal(applyPatch(user(), { Operations: [replaceTitle] }, userTarget).title, 'Guide', 'missing')
  t.equal(applyPatch(user(), { schemas: ['urn:example:extra', PATCH_OP], Operations: [replaceTitle] }, userTarget).title, 'Guide', 'extra URI')
  t.equal(applyPatch(user(), { schemas: [PATCH_OP.toUpperCase()], Operations: [replaceTitle] }, userTarget).title, 'Guide', 'URNs ignore case')
  t.match(errorOf(() => applyPatch(user(), { schemas: [USER_SCHEMA], Operations: [replaceTitle] }, userTarget)),
    { status: 400, scimType: 'invalidSyntax', message: /"schemas" must contain "urn:ietf:params:scim:api:messages:2.0:PatchOp"/ })
  t.match(errorOf(() => applyPatch(user(), { schemas: PATCH_OP, Operations: [replaceTitle] }, userTarget)), { scimType: 'invalidSyntax' }, 'a string is not a list')
})

t.test('member names of the body and of operations ignore case; extra members are ignored', async t => {
  t.equal(applyPatch(user(), { schemas: [PATCH_OP], operations: [{ OP: 'Replace', Path: 'title', Value: 'Guide' }] }, userTarget).title, 'Guide')
  // Microsoft's collection sends an "id" beside Operations and a "name" in an operation
  t.equal(applyPatch(user(), { id: 'x', schemas: [PATCH_OP], Operations: [{ name: 'addMember', ...replaceTitle }] }, userTarget).title, 'Guide')
})

t.test('op is add, replace or remove in any case (Entra sends Add, Replace, Remove)', async t => {
  t.equal(patchUser(user(), { op: 'Replace', path: 'title', value: 'A' }).title, 'A')
  t.equal(patchUser(user(), { op: 'REPLACE', path: 'title', value: 'B' }).title, 'B')
  t.equal(patchUser(user(), { op: 'Add', path: 'nickName', value: 'Babs' }).nickName, 'Babs')
  t.notOk('title' in patchUser(user(), { op: 'Remove', path: 'title' }))
})

t.test('any other op is 400 invalidSyntax naming it', async t => {
  const cases: Array<[unknown, RegExp]> = [
    [{ op: 'copy', path: 'title', value: 'x' }, /^Operations\[0\]: "op" must be "add", "replace" or "remove", found "copy"$/],
    [{ op: 'move', from: 'a', path: 'title' }, /found "move"/],
    [{ path: 'title', value: 'x' }, /found none$/],
    [{ op: 1, path: 'title', value: 'x' }, /found 1$/],
    [{ op: ' add', path: 'title', value: 'x' }, /found " add"$/],
    ['add', /^Operations\[0\] must be an object with "op"$/]
  ]
  for (const [operation, message] of cases) {
    t.match(errorOf(() => applyPatch(user(), body(operation), userTarget)), { status: 400, scimType: 'invalidSyntax', message }, JSON.stringify(operation))
  }
  t.match(errorOf(() => applyPatch(user(), body(replaceTitle, { op: 'test', path: 'title', value: 'x' }), userTarget)),
    { message: /^Operations\[1\]/ }, 'the message says which operation')
})

t.test('add and replace need a value: 400 invalidValue', async t => {
  t.match(errorOf(() => patchUser(user(), { op: 'add', path: 'title' })), { status: 400, scimType: 'invalidValue', message: /^Operations\[0\]: "add" needs a "value"$/ })
  t.match(errorOf(() => patchUser(user(), { op: 'Replace', path: 'title' })), { status: 400, scimType: 'invalidValue', message: /"replace" needs a "value"/ })
})

t.test('path: null and "" mean no path; any other non-string is 400 invalidPath', async t => {
  t.equal(patchUser(user(), { op: 'replace', path: null, value: { title: 'A' } }).title, 'A')
  t.equal(patchUser(user(), { op: 'replace', path: '', value: { title: 'B' } }).title, 'B')
  t.match(errorOf(() => patchUser(user(), { op: 'replace', path: 5, value: 'x' })), { status: 400, scimType: 'invalidPath', message: /"path" must be a string, found 5/ })
  t.match(errorOf(() => patchUser(user(), { op: 'remove', path: '  ' })), { status: 400, scimType: 'noTarget' }, 'a blank remove path is no path')
})

t.test('a malformed path is 400 invalidPath carrying the parser\'s explanation', async t => {
  t.match(errorOf(() => patchUser(user(), { op: 'replace', path: 'emails[type eq "work"', value: 'x' })),
    { status: 400, scimType: 'invalidPath', message: /^Operations\[0\]: path "emails\[type eq "work"": expected "and", "or" or "\]" at position 21/ })
  t.match(errorOf(() => patchUser(user(), { op: 'replace', path: 'name.familyName.x', value: 'x' })), { scimType: 'invalidPath', message: /more than one sub-attribute/ })
  t.match(errorOf(() => patchUser(user(), { op: 'replace', value: { 'bad key': 'x' } })), { scimType: 'invalidPath', message: /path "bad key"/ }, 'no-path keys are paths too')
})

t.test('values nested absurdly deep are refused before they exhaust the stack', async t => {
  let value: unknown = 'x'
  for (let i = 0; i < 10000; i++) value = [value]
  t.match(errorOf(() => patchUser(user(), { op: 'add', path: 'x509Certificates', value })), { status: 400, scimType: 'invalidValue', message: /nested deeper/ })
})
