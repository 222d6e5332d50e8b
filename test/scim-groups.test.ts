import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { GROUP, USER, scimClient } from './helpers/scim.ts'

// Okta's Group Push and Entra's member batches against /scim/v2/Groups, and the roles that
// group → role mappings give the members.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const idp = await scimClient(app, acme.id, 'Okta')
const people = await Promise.all(['ann', 'bob', 'cat', 'dan'].map(name =>
  idp.ok('POST', '/Users', { schemas: [USER], userName: `${name}@acme.test` })))
const [ann, bob, cat, dan] = people.map(p => p.id as string)
const roleOf = async (id: string) => (await app.db('users').where({ workspace_id: acme.id, id }).first()).role
const memberValues = (group: { members?: Array<{ value: string }> }) => (group.members ?? []).map(m => m.value).sort()

t.test('Okta Group Push: create with members, rename and change members in one PATCH, PUT', async t => {
  const created = await idp.call('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', members: [{ value: ann, display: 'ann@acme.test' }, { value: bob }] })
  t.equal(created.statusCode, 201)
  const group = JSON.parse(created.body)
  t.match(group, { schemas: [GROUP], id: String, displayName: 'Engineering', meta: { resourceType: 'Group', location: `http://localhost:80/scim/v2/Groups/${group.id}` } })
  t.same(memberValues(group), [ann, bob].sort())

  const patched = await idp.patch(`/Groups/${group.id}`,
    { op: 'replace', value: { id: group.id, displayName: 'Engineers' } },
    { op: 'remove', path: `members[value eq "${ann}"]` },
    { op: 'add', path: 'members', value: [{ value: cat, display: 'cat@acme.test' }, { value: dan }] })
  t.equal(patched.statusCode, 204)
  const after = await idp.ok('GET', `/Groups/${group.id}`)
  t.equal(after.displayName, 'Engineers')
  t.same(memberValues(after), [bob, cat, dan].sort())

  const replaced = await idp.ok('PUT', `/Groups/${group.id}`, { schemas: [GROUP], displayName: 'Engineers', members: [{ value: ann }] })
  t.same(memberValues(replaced), [ann])
  await idp.patch(`/Groups/${group.id}`, { op: 'replace', path: 'members', value: [{ value: bob }, { value: cat }] })
  t.same(memberValues(await idp.ok('GET', `/Groups/${group.id}`)), [bob, cat].sort(), 'replace members sets the full list')
})

t.test('Entra: empty group, then member batches; lookups without members; remove by value array', async t => {
  const group = await idp.ok('POST', '/Groups', { schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], displayName: 'Sales', externalId: 'sales-1', members: [] })
  t.same(group.members, [])
  const found = await idp.ok('GET', '/Groups?filter=displayName+eq+%22sales%22&excludedAttributes=members')
  t.equal(found.totalResults, 1)
  t.notOk('members' in found.Resources[0], 'excludedAttributes=members leaves them out')
  t.equal((await idp.patch(`/Groups/${group.id}`, { op: 'Add', path: 'members', value: [{ value: ann }, { value: bob }, { value: cat }] })).statusCode, 204)
  t.equal((await idp.ok('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${bob}"]`)}`)).totalResults, 2, 'groups by member')
  await idp.patch(`/Groups/${group.id}`, { op: 'Remove', path: 'members', value: [{ value: ann }, { value: cat }] })
  t.same(memberValues(await idp.ok('GET', `/Groups/${group.id}`)), [bob])
  await idp.patch(`/Groups/${group.id}`, { op: 'Remove', path: 'members' })
  t.same(memberValues(await idp.ok('GET', `/Groups/${group.id}`)), [], 'remove members without a value clears them')
  t.equal((await idp.ok('GET', `/Groups/${group.id}?excludedAttributes=members`)).members, undefined)
})

t.test('a group displayName is unique; bad input is a SCIM error; unknown groups are 404', async t => {
  const duplicate = await idp.call('POST', '/Groups', { schemas: [GROUP], displayName: 'ENGINEERS' })
  t.equal(duplicate.statusCode, 409)
  t.match(JSON.parse(duplicate.body), { scimType: 'uniqueness', detail: /displayName/ })
  t.match(JSON.parse((await idp.call('POST', '/Groups', { schemas: [GROUP] })).body), { status: '400', scimType: 'invalidValue', detail: /displayName/ })
  t.equal((await idp.call('GET', '/Groups/not-a-uuid')).statusCode, 404)
  t.equal((await idp.call('DELETE', '/Groups/00000000-0000-4000-8000-000000000000')).statusCode, 404)
  const theirs = await scimClient(app, (await workspace('other')).id)
  t.equal((await theirs.ok('GET', '/Groups')).totalResults, 0, 'another workspace sees none of them')
})

t.test('members of a group mapped to a role get the highest mapped role; leaving it takes the role away', async t => {
  const admins = await idp.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'IT admins', members: [] })
  const helpdesk = await idp.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Helpdesk', members: [] })
  // The SCIM page maps groups to roles; this is the row it writes.
  await app.pluginDb('scim')('scim_groups').where({ workspace_id: acme.id, id: admins.id }).update({ role: 'admin' })
  await app.pluginDb('scim')('scim_groups').where({ workspace_id: acme.id, id: helpdesk.id }).update({ role: 'it-admin' })

  await idp.patch(`/Groups/${helpdesk.id}`, { op: 'add', path: 'members', value: [{ value: dan }, { value: cat }] })
  await idp.patch(`/Groups/${admins.id}`, { op: 'add', path: 'members', value: [{ value: dan }] })
  t.equal(await roleOf(dan), 'admin', 'the highest of two mapped groups')
  t.equal(await roleOf(cat), 'it-admin')

  await idp.patch(`/Groups/${admins.id}`, { op: 'remove', path: `members[value eq "${dan}"]` })
  t.equal(await roleOf(dan), 'it-admin', 'leaving the admin group leaves the next mapped role')
  t.equal((await idp.call('DELETE', `/Groups/${helpdesk.id}`)).statusCode, 204)
  t.equal(await roleOf(dan), 'employee', 'in no mapped group: back to employee')
  t.equal(await roleOf(cat), 'employee')
  const audit = await app.db('audit_log').where({ workspace_id: acme.id, action: 'person.role_changed', target_id: dan }).count({ n: '*' })
  t.equal(Number(audit[0].n), 4, 'every role change is audited: it-admin, admin, it-admin, employee')
})
