import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { members } from './helpers/members.ts'

// The People pages keep the workspace's last active super-admin: an admin can neither offboard
// them nor make them inactive, and is told what to do instead.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const { add, as } = members(app, acme)
const owner = await add('super-admin', 'olga@acme.test')
const admin = await as(await add('admin', 'ada@acme.test'))
const versionOf = async () => String((await app.registry.people.get(acme.id, owner.id)).version)

t.test('offboarding the last active super-admin is refused on their page', async t => {
  const res = await admin.post(`/people/${owner.id}/offboard`, { version: await versionOf(), confirm: 'yes' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /<p class="form-error" role="alert">olga@acme\.test is the last active super-admin of this workspace: make someone else super-admin first, then offboard them\.<\/p>/)
  t.equal((await app.registry.people.get(acme.id, owner.id)).status, 'active')
})

t.test('making them inactive is refused inline on the status field', async t => {
  const res = await admin.post(`/people/${owner.id}/edit`, { email: 'olga@acme.test', status: 'inactive', version: await versionOf() })
  t.equal(res.statusCode, 422)
  t.match(res.body, /id="person-status-error">Status cannot become inactive: this is the last active super-admin of the workspace; make someone else super-admin first/)
  t.equal((await app.registry.people.get(acme.id, owner.id)).status, 'active')
})
