import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn, type TestSession } from './helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'
import type { Role } from '../core/auth/roles.ts'

// An employee withdraws their own open request; statuses read as words on every page.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')
const { people, requests } = app.registry

const addUser = (workspaceId: string, role: Role, email: string) => people.create(workspaceId, systemActor, { email, role, first_name: email.split('@')[0], last_name: 'Test' })
const admin = await addUser(acme.id, 'admin', 'ada@acme.test')
const eve = await addUser(acme.id, 'employee', 'eve@acme.test')
const bob = await addUser(acme.id, 'employee', 'bob@acme.test')
const stranger = await addUser(other.id, 'employee', 'sam@other.test')
const as = (user: { id: string }) => signIn(app, { slug: 'acme', workspaceId: acme.id, userId: user.id })
const asEve = await as(eve)
const asAdmin = await as(admin)

const row = (id: string) => app.db('asset_requests').where({ id }).first()
const versionOn = (html: string) => /name="version" value="(\d+)"/.exec(html)?.[1] ?? ''
async function writes () {
  const { rows: [r] } = await app.db.raw(`SELECT
    (SELECT coalesce(sum(version), 0) FROM asset_requests)::int AS versions,
    (SELECT count(*) FROM audit_log WHERE action LIKE 'asset_request.%')::int AS audit,
    (SELECT count(*) FROM events)::int AS events`)
  return r
}
async function withdraw (session: TestSession, id: string) {
  const page = await session.get(`/requests/${id}`)
  return await session.post(`/requests/${id}/withdraw`, { version: versionOn(page.body) || '1' })
}

t.test('an employee withdraws their own open request: audited, with its event, and shown as Withdrawn', async t => {
  const mine = await requests.create(acme.id, systemActor, { requester_id: eve.id, category: 'laptop' })
  const page = await asEve.get(`/requests/${mine.id}`)
  t.match(page.body, '>Withdraw request</button>', 'offered on their open request')
  t.match(page.body, /<span class="badge badge-request-created">Submitted<\/span>/, 'created reads as Submitted')
  t.match(page.body, '<dt>Status</dt><dd>Submitted</dd>')

  const res = await asEve.post(`/requests/${mine.id}/withdraw`, { version: versionOn(page.body) })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, `/requests/${mine.id}`)
  t.match(await row(mine.id), { status: 'withdrawn', decided_by: eve.id })
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, action: 'asset_request.withdrawn', target_id: mine.id }).first(), { actor_id: eve.id })
  const [event] = await app.db('events').where({ workspace_id: acme.id, type: 'asset_request.withdrawn' }).whereRaw("payload->>'id' = ?", [mine.id])
  t.match(event?.payload, { status: 'withdrawn', changes: { status: { old: 'created', new: 'withdrawn' } } }, 'the event webhooks and notifications get')

  const after = await asEve.get(`/requests/${mine.id}`)
  t.match(after.body, 'Request withdrawn.')
  t.match(after.body, /<span class="badge badge-request-withdrawn">Withdrawn<\/span>/)
  t.notMatch(after.body, 'Withdraw request</button>', 'no longer offered')
  t.match((await app.inject({ url: '/api/docs/json' })).body, '"withdrawn"', 'the API documents the new status')
})

t.test('an approved request can be withdrawn too', async t => {
  const mine = await requests.create(acme.id, systemActor, { requester_id: eve.id, category: 'monitor' })
  await requests.approve(acme.id, systemActor, mine.id)
  t.equal((await withdraw(asEve, mine.id)).statusCode, 303)
  t.equal((await row(mine.id)).status, 'withdrawn')
})

t.test("someone else's request is not found: another employee's, as its admin, another workspace's", async t => {
  const bobs = await requests.create(acme.id, systemActor, { requester_id: bob.id, category: 'phone' })
  const theirs = await requests.create(other.id, systemActor, { requester_id: stranger.id, category: 'phone' })
  const before = await writes()
  t.equal((await asEve.post(`/requests/${bobs.id}/withdraw`, { version: '1' })).statusCode, 404, "another employee's")
  const asAdminPage = await asAdmin.get(`/requests/${bobs.id}`)
  t.notMatch(asAdminPage.body, 'Withdraw request', 'an admin is not offered to withdraw someone else\'s request')
  t.equal((await asAdmin.post(`/requests/${bobs.id}/withdraw`, { version: '1' })).statusCode, 404, 'not even by an admin')
  t.equal((await asEve.post(`/requests/${theirs.id}/withdraw`, { version: '1' })).statusCode, 404, "another workspace's")
  t.equal((await asEve.post('/requests/not-an-id/withdraw', { version: '1' })).statusCode, 404)
  t.same(await writes(), before, 'nothing written')
  await t.rejects(requests.withdraw(acme.id, systemActor, bobs.id, eve.id), { name: 'NotFoundError' }, 'the register refuses it too')
})

t.test('a closed request cannot be withdrawn: a clear message, nothing written', async t => {
  const mine = await requests.create(acme.id, systemActor, { requester_id: eve.id, category: 'headset' })
  const page = await asEve.get(`/requests/${mine.id}`)
  await requests.reject(acme.id, systemActor, mine.id, 'None in stock')
  const before = await writes()
  const res = await asEve.post(`/requests/${mine.id}/withdraw`, { version: versionOn(page.body) })
  t.equal(res.statusCode, 409)
  t.match(res.body, 'This request is rejected, so it can no longer be withdrawn.')
  t.notMatch(res.body, 'Withdraw request</button>')
  t.same(await writes(), before, 'nothing written')
  t.equal((await row(mine.id)).status, 'rejected')
})

t.test('statuses read as words on the list, its filters and the overview; the API keeps its values', async t => {
  await requests.create(acme.id, systemActor, { requester_id: eve.id, category: 'keyboard' })
  const list = await asEve.get('/requests')
  t.match(list.body, />Submitted<\/span>/)
  t.notMatch(list.body, />created</, 'never the stored value')
  t.match(list.body, />Withdrawn<\/a>/, 'the filter is labelled')
  const filtered = await asEve.get('/requests?status=withdrawn')
  t.equal(filtered.statusCode, 200, 'the filter keeps the stored value in the URL')
  t.match(filtered.body, /badge-request-withdrawn">Withdrawn/)
  const home = await asAdmin.get('/')
  t.match(home.body, /\d+ submitted · \d+ approved/)
  const hardware = await asAdmin.get('/hardware/new')
  t.match(hardware.body, '<option value="in_repair">In repair</option>', 'hardware statuses too')
  const stored = await app.db('asset_requests').where({ workspace_id: acme.id, category: 'keyboard' }).first()
  t.equal(stored.status, 'created', 'stored and sent by the API as before')
})
