// The PATCH bodies Okta sends (developer.okta.com, SCIM 2.0 reference; scim.md §2).
import t from 'tap'
import { applyPatch } from './index.ts'
import { errorOf, group, GROUP_ID, groupTarget, PATCH_OP, patchGroup, patchUser, user } from './test-fixtures.ts'

t.test('deactivate: a no-path replace of {active: false}', async t => {
  const patched = applyPatch(user(), { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }, { coreSchema: 'urn:ietf:params:scim:schemas:core:2.0:User', extensions: [], id: 'u' })
  t.same(patched, { ...user(), active: false })
  t.equal(patchUser(patched, { op: 'replace', value: { active: true } }).active, true, 'and reactivate')
})

t.test('password change: a no-path replace, stored as sent for the caller to drop', async t => {
  t.equal(patchUser(user(), { op: 'replace', value: { password: 't1meMa$heen' } }).password, 't1meMa$heen')
})

t.test('group rename: a no-path replace of {id, displayName}, the unchanged id ignored', async t => {
  const patched = applyPatch(group('u1'), {
    schemas: [PATCH_OP],
    Operations: [{ op: 'replace', value: { id: GROUP_ID, displayName: 'Test SCIMv2' } }]
  }, groupTarget)
  t.same(patched, { ...group('u1'), displayName: 'Test SCIMv2' })
  t.notOk('id' in patched)
})

t.test('group rename with another id is 400 mutability, and nothing changes', async t => {
  const document = group('u1')
  t.match(errorOf(() => patchGroup(document, { op: 'replace', value: { displayName: 'New', id: 'another' } })),
    { status: 400, scimType: 'mutability', message: /^Operations\[0\]: "id" cannot be changed/ })
  t.same(document, group('u1'))
})

t.test('membership update: remove members[value eq …] and add members [{value, display}] in one PATCH', async t => {
  const patched = applyPatch(group('u1', 'u2'), {
    schemas: [PATCH_OP],
    Operations: [
      { op: 'remove', path: 'members[value eq "u1"]' },
      { op: 'add', path: 'members', value: [{ value: 'u3', display: 'dade.murphy@example.com' }, { value: 'u4', display: 'kate.libby@example.com' }] }
    ]
  }, groupTarget)
  t.same(patched.members, [
    { value: 'u2', display: 'User u2' },
    { value: 'u3', display: 'dade.murphy@example.com' },
    { value: 'u4', display: 'kate.libby@example.com' }
  ])
})

t.test('Okta sends the rename with every membership update', async t => {
  const patched = patchGroup(group('u1'),
    { op: 'replace', value: { id: GROUP_ID, displayName: 'Tour Guides' } },
    { op: 'add', path: 'members', value: [{ value: 'u2', display: 'u2@example.com' }] })
  t.same(patched, { ...group('u1'), members: [{ value: 'u1', display: 'User u1' }, { value: 'u2', display: 'u2@example.com' }] })
})

t.test('replace members sets the full list', async t => {
  t.same(patchGroup(group('u1', 'u2'), { op: 'replace', path: 'members', value: [{ value: 'u2', display: 'B' }, { value: 'u3', display: 'C' }] }).members,
    [{ value: 'u2', display: 'B' }, { value: 'u3', display: 'C' }])
  t.notOk('members' in patchGroup(group('u1'), { op: 'replace', path: 'members', value: [] }), 'an empty list empties the group')
  t.same(patchGroup(group(), { op: 'replace', value: { members: [{ value: 'u9' }] } }).members, [{ value: 'u9' }], 'also without a path')
})
