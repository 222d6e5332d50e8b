import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn, type TestSession } from './helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'
import type { Role } from '../core/auth/roles.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')
const { people, hardware, requests } = app.registry

async function addUser (workspaceId: string, role: Role, email: string, firstName: string) {
  return await people.create(workspaceId, systemActor, { email, role, first_name: firstName, last_name: 'Test' })
}

const admin = await addUser(acme.id, 'admin', 'ada@acme.test', 'Ada')
const eve = await addUser(acme.id, 'employee', 'eve@acme.test', 'Eve')
const bob = await addUser(acme.id, 'employee', 'bob@acme.test', 'Bob')
const stranger = await addUser(other.id, 'employee', 'sam@other.test', 'Sam')
const theirs = await requests.create(other.id, systemActor, { requester_id: stranger.id, category: 'phone' })
const bobs = await requests.create(acme.id, systemActor, { requester_id: bob.id, category: 'monitor', description: 'A 27 inch one' })

const as = (user: { id: string }) => signIn(app, { slug: 'acme', workspaceId: acme.id, userId: user.id })
const asEve = await as(eve)
const asAdmin = await as(admin)

const requestRow = (id: string) => app.db('asset_requests').where({ workspace_id: acme.id, id }).first()
const eventsFor = (type: string, id: string) => app.db('events').where({ workspace_id: acme.id, type }).whereRaw("payload->>'id' = ?", [id])
async function counts () {
  const { rows: [row] } = await app.db.raw(`SELECT
    (SELECT count(*) FROM asset_requests WHERE workspace_id = :ws)::int AS requests,
    (SELECT coalesce(sum(version), 0) FROM asset_requests WHERE workspace_id = :ws)::int AS versions,
    (SELECT count(*) FROM audit_log WHERE workspace_id = :ws AND action LIKE 'asset_request.%')::int AS audit,
    (SELECT count(*) FROM events WHERE workspace_id = :ws)::int AS events`, { ws: acme.id })
  return row
}
const idFrom = (location: string | undefined) => /^\/requests\/([0-9a-f-]{36})$/.exec(location ?? '')?.[1] ?? ''
/** The request's version as its page's forms carry it. */
const versionOn = (html: string) => /name="version" value="(\d+)"/.exec(html)?.[1] ?? ''

async function fileRequest (session: TestSession, category: string, description = '') {
  const res = await session.post('/requests', { category, description })
  if (res.statusCode !== 303) throw new Error(`request not filed: ${res.statusCode}`)
  return idFrom(res.headers.location as string)
}

t.test('signed out: the pages send you to sign in', async t => {
  const res = await app.inject({ url: '/requests', headers: { host: 'acme.localhost' } })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/sign-in?next=%2Frequests')
})

t.test('an employee files a request', async t => {
  const form = await asEve.get('/requests/new')
  t.equal(form.statusCode, 200)
  t.match(form.body, /<label for="req-category">Category<\/label>/)
  t.match(form.body, /<label for="req-description">Details <span class="muted">\(optional\)<\/span><\/label>/)
  t.match(form.body, /<option value="laptop">/, 'categories are suggested')

  const before = await counts()
  const res = await asEve.post('/requests', { category: 'laptop', description: 'For design work, 16 inch' })
  t.equal(res.statusCode, 303)
  const id = idFrom(res.headers.location as string)
  t.ok(id, 'redirects to the new request')
  t.match(await requestRow(id), { requester_id: eve.id, category: 'laptop', description: 'For design work, 16 inch', status: 'created', version: 1 })
  t.equal((await eventsFor('asset_request.created', id)).length, 1, 'asset_request.created is in the outbox')
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, target_id: id }).first(), { action: 'asset_request.created', actor_id: eve.id })
  t.equal((await counts()).requests, before.requests + 1)

  const page = await asEve.get(`/requests/${id}`)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Request sent.', 'flash after the redirect')
  t.match(page.body, 'For design work, 16 inch')
  t.match(page.body, 'badge-request-created')
  t.notMatch(page.body, '/approve"', 'an employee is offered no decisions')
})

t.test('an invalid request comes back with what was typed, inline errors, and writes nothing', async t => {
  const before = await counts()
  const empty = await asEve.post('/requests', { category: '   ', description: 'Kept <b>as typed</b>' })
  t.equal(empty.statusCode, 422)
  t.match(empty.body, 'Say what you need, for example laptop.')
  t.match(empty.body, /<input id="req-category" name="category" value=" {3}"[^>]* aria-describedby="req-category-hint req-category-error" aria-invalid="true">/)
  t.match(empty.body, /<p class="field-error" id="req-category-error">/)
  t.match(empty.body, '>Kept &lt;b&gt;as typed&lt;/b&gt;</textarea>', 'the details are kept (escaped)')
  t.match(empty.body, /<textarea id="req-description"[^>]* aria-describedby="req-description-hint">/, 'the valid field is not marked invalid')
  t.match(empty.body, 'role="alert"')

  const long = await asEve.post('/requests', { category: 'x'.repeat(65), description: '' })
  t.equal(long.statusCode, 422)
  t.match(long.body, 'Category must be at most 64 characters.')
  t.match(long.body, `value="${'x'.repeat(65)}"`)

  const tooMuch = await asEve.post('/requests', { category: 'laptop', description: 'y'.repeat(5001) })
  t.equal(tooMuch.statusCode, 422)
  t.match(tooMuch.body, 'Details must be at most 5000 characters.')
  t.match(tooMuch.body, 'value="laptop"')

  const forged = await asEve.post('/requests', { category: 'laptop' }, { csrf: false })
  t.equal(forged.statusCode, 403, 'no CSRF token, no request')
  t.same(await counts(), before, 'nothing written')
})

t.test('an employee sees only their own requests', async t => {
  const mine = await fileRequest(asEve, 'headset')
  const list = await asEve.get('/requests')
  t.equal(list.statusCode, 200)
  t.match(list.body, `href="/requests/${mine}"`)
  t.notMatch(list.body, bobs.id, "Bob's request is not listed")
  t.notMatch(list.body, '<th scope="col">Requester</th>', 'no requester column for an employee')
  t.match(list.body, /aria-current="true"[^>]*>All</, 'an employee starts from all their requests')

  for (const id of [bobs.id, theirs.id, 'not-an-id']) {
    const res = await asEve.get(`/requests/${id}`)
    t.equal(res.statusCode, 404, `another person's request (${id}) is not found`)
    t.notMatch(res.body, 'A 27 inch one')
  }
  const csv = await asEve.get('/requests.csv?status=all')
  t.notMatch(csv.body, 'bob@acme.test', 'nor in the CSV')
})

t.test('an employee cannot decide', async t => {
  const before = await counts()
  for (const [action, form] of [['approve', {}], ['reject', { reason: 'No' }], ['fulfil', { hardware_id: bobs.id }]] as const) {
    const res = await asEve.post(`/requests/${bobs.id}/${action}`, { ...form, version: '1' })
    t.equal(res.statusCode, 403, `${action} is refused`)
    t.match(res.body, 'This action needs one of these roles')
  }
  t.same(await counts(), before, 'nothing changed')
})

t.test('admins see every request, open ones first, and filter by status', async t => {
  const open = await fileRequest(asEve, 'keyboard')
  const rejected = await fileRequest(asEve, 'mouse')
  await requests.reject(acme.id, systemActor, rejected, 'Use the spare one')

  const list = await asAdmin.get('/requests')
  t.equal(list.statusCode, 200)
  t.match(list.body, '<th scope="col">Requester</th>')
  t.match(list.body, `href="/requests/${open}"`)
  t.match(list.body, `href="/requests/${bobs.id}"`, "everyone's requests")
  t.match(list.body, 'Bob Test')
  t.notMatch(list.body, `href="/requests/${rejected}"`, 'closed requests are not open')
  t.notMatch(list.body, theirs.id, 'nor another workspace\'s')
  t.match(list.body, /aria-current="true"[^>]*>Open</)

  const onlyRejected = await asAdmin.get('/requests?status=rejected')
  t.match(onlyRejected.body, `href="/requests/${rejected}"`)
  t.match(onlyRejected.body, 'Use the spare one')
  t.notMatch(onlyRejected.body, `href="/requests/${open}"`)

  const panel = await asAdmin.get('/requests?status=created', { 'hx-request': 'true', 'hx-target': 'requests-panel' })
  t.match(panel.body, /^<div id="requests-panel">/, 'htmx gets the panel only')
  t.notMatch(panel.body, '<html')

  const nonsense = await asAdmin.get('/requests?status=bogus')
  t.equal(nonsense.statusCode, 422, 'an unknown filter is refused on the page')
  t.match(nonsense.body, 'This status filter is unknown')
  t.match(nonsense.body, /aria-current="true"[^>]*>Open</, 'showing which filters there are')
})

t.test('admin approves, and the approval is audited and emitted', async t => {
  const id = await fileRequest(asEve, 'laptop', 'approve me')
  const page = await asAdmin.get(`/requests/${id}`)
  t.match(page.body, `action="/requests/${id}/approve"`)
  t.match(page.body, `action="/requests/${id}/reject"`)
  t.notMatch(page.body, `action="/requests/${id}/fulfil"`, 'fulfilment waits for approval')
  t.equal(versionOn(page.body), '1')

  const res = await asAdmin.post(`/requests/${id}/approve`, { version: '1' })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, `/requests/${id}`)
  t.match(await requestRow(id), { status: 'approved', decided_by: admin.id, version: 2 })
  t.equal((await eventsFor('asset_request.approved', id)).length, 1, 'asset_request.approved is in the outbox')
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, target_id: id, action: 'asset_request.approved' }).first(), { actor_id: admin.id })
  const after = await asAdmin.get(`/requests/${id}`)
  t.match(after.body, 'Request approved.')
  t.match(after.body, 'by Ada Test')
  t.match(after.body, `action="/requests/${id}/fulfil"`)
})

t.test('reject needs a reason, shown inline; the requester sees it', async t => {
  const id = await fileRequest(asEve, 'tablet')
  const before = await counts()
  const missing = await asAdmin.post(`/requests/${id}/reject`, { version: '1', reason: '  ' })
  t.equal(missing.statusCode, 422)
  t.match(missing.body, 'Give a reason for the rejection: the requester sees it.')
  t.match(missing.body, /<textarea id="reject-reason" name="reason"[^>]* aria-describedby="reject-reason-hint reject-reason-error" aria-invalid="true">/)
  t.same(await counts(), before, 'nothing written')
  t.equal((await requestRow(id)).status, 'created')

  const res = await asAdmin.post(`/requests/${id}/reject`, { version: '1', reason: 'We have tablets in the office to borrow.' })
  t.equal(res.statusCode, 303)
  t.match(await requestRow(id), { status: 'rejected', rejection_reason: 'We have tablets in the office to borrow.' })
  t.equal((await eventsFor('asset_request.rejected', id)).length, 1, 'asset_request.rejected is in the outbox')
  const seen = await asEve.get(`/requests/${id}`)
  t.match(seen.body, 'We have tablets in the office to borrow.')
  t.match(seen.body, 'badge-request-rejected')
})

t.test('fulfil assigns the chosen hardware to the requester', async t => {
  const laptop = await hardware.create(acme.id, systemActor, { serial: 'FUL-1', name: 'MacBook Pro', category: 'laptop', model: 'M3' })
  const spare = await hardware.create(acme.id, systemActor, { serial: 'FUL-2', name: 'ThinkPad', category: 'laptop' })
  const taken = await hardware.create(acme.id, systemActor, { serial: 'FUL-3', name: 'Dell', category: 'laptop' })
  const elsewhere = await hardware.create(other.id, systemActor, { serial: 'FUL-4', name: 'Not ours' })
  const id = await fileRequest(asEve, 'laptop', 'fulfil me')
  await asAdmin.post(`/requests/${id}/approve`, { version: '1' })

  const page = await asAdmin.get(`/requests/${id}`)
  t.match(page.body, new RegExp(`<option value="${laptop.id}">${laptop.asset_tag} · MacBook Pro \\(M3\\) · laptop · SN FUL-1</option>`))
  t.notMatch(page.body, elsewhere.id, "another workspace's hardware is not offered")
  const search = await asAdmin.get(`/requests/${id}?hardware_q=thinkpad`, { 'hx-request': 'true' })
  t.match(search.body, spare.id, 'the search finds by name')
  t.notMatch(search.body, `<option value="${laptop.id}"`, 'and narrows the options')

  // Taken by someone else while the admin was choosing.
  await hardware.assign(acme.id, systemActor, taken.id, bob.id)
  const before = await counts()
  const none = await asAdmin.post(`/requests/${id}/fulfil`, { version: '2', hardware_id: '' })
  t.equal(none.statusCode, 422)
  t.match(none.body, 'Choose the hardware to hand over.')
  t.match(none.body, /<select id="fulfil-hardware" name="hardware_id" aria-invalid="true" aria-describedby="fulfil-hardware-error">/)
  const foreign = await asAdmin.post(`/requests/${id}/fulfil`, { version: '2', hardware_id: elsewhere.id })
  t.equal(foreign.statusCode, 422)
  t.match(foreign.body, 'Choose hardware from this workspace.')

  const late = await asAdmin.post(`/requests/${id}/fulfil`, { version: '2', hardware_id: taken.id })
  t.equal(late.statusCode, 422)
  t.match(late.body, `${taken.asset_tag} is already assigned`)
  t.match(late.body, /id="fulfil-hardware-error"/, 'refused next to the select')
  t.same(await counts(), before, 'nothing written')

  const res = await asAdmin.post(`/requests/${id}/fulfil`, { version: '2', hardware_id: laptop.id })
  t.equal(res.statusCode, 303)
  t.match(await requestRow(id), { status: 'fulfilled', fulfilled_hardware_id: laptop.id, version: 3 })
  t.match(await hardware.get(acme.id, laptop.id), { status: 'assigned', assigned_user_id: eve.id })
  t.equal((await eventsFor('asset_request.fulfilled', id)).length, 1, 'asset_request.fulfilled is in the outbox')
  t.equal((await eventsFor('hardware.assigned', laptop.id)).length, 1, 'and hardware.assigned')
  const done = await asEve.get(`/requests/${id}`)
  t.match(done.body, `${laptop.asset_tag} MacBook Pro`)
  t.match(done.body, 'assigned to Eve Test')
})

t.test('a stale version is refused with a clear message', async t => {
  const id = await fileRequest(asEve, 'monitor')
  const page = await asAdmin.get(`/requests/${id}`)
  const seen = versionOn(page.body)
  await requests.approve(acme.id, systemActor, id) // another admin, meanwhile
  const before = await counts()
  const res = await asAdmin.post(`/requests/${id}/reject`, { version: seen, reason: 'Typed before the conflict' })
  t.equal(res.statusCode, 409)
  t.match(res.body, 'Someone changed this request after you opened it: it is now approved.')
  t.match(res.body, '>Typed before the conflict</textarea>', 'the reason typed is kept')
  t.equal(versionOn(res.body), '2', 'the forms now carry the current version')
  t.same(await counts(), before)
  t.equal((await requestRow(id)).status, 'approved')

  const noVersion = await asAdmin.post(`/requests/${id}/approve`, {})
  t.equal(noVersion.statusCode, 422)
  t.match(noVersion.body, 'did not say which version')
})

t.test('a move the status does not allow shows a message', async t => {
  const id = await fileRequest(asEve, 'chair')
  await asAdmin.post(`/requests/${id}/approve`, { version: '1' })
  const again = await asAdmin.post(`/requests/${id}/approve`, { version: '2' })
  t.equal(again.statusCode, 409)
  t.match(again.body, 'This request is approved, so it cannot be approved now.')
  const early = await fileRequest(asEve, 'desk')
  const fulfil = await asAdmin.post(`/requests/${early}/fulfil`, { version: '1', hardware_id: bobs.id })
  t.equal(fulfil.statusCode, 409)
  t.match(fulfil.body, 'This request is submitted, so it cannot be fulfilled now.')
})

t.test("another workspace's request is not found, and nothing of it changes", async t => {
  for (const url of [`/requests/${theirs.id}`]) t.equal((await asAdmin.get(url)).statusCode, 404)
  for (const action of ['approve', 'reject', 'fulfil']) {
    const res = await asAdmin.post(`/requests/${theirs.id}/${action}`, { version: '1', reason: 'No', hardware_id: theirs.id })
    t.equal(res.statusCode, 404, `${action}: 404`)
  }
  t.match(await app.db('asset_requests').where({ id: theirs.id }).first(), { status: 'created', version: 1 })
})

t.test('the list pages by keyset, newest first, and exports CSV as filtered', async t => {
  const paging = await addUser(acme.id, 'employee', 'pat@acme.test', 'Pat')
  // Fixtures in one insert (the register's create is covered above). Nine share a created_at,
  // microseconds included, across the page boundary: the id breaks the tie.
  await app.db('asset_requests').insert(Array.from({ length: 57 }, (_, i) => ({
    workspace_id: acme.id,
    requester_id: paging.id,
    category: `item-${i}`,
    created_at: i >= 3 && i < 12 ? '2030-01-01 00:00:00.123456+00' : `2030-01-01 00:00:${String(i).padStart(2, '0')}.5+00`
  })))
  const asPat = await as(paging)
  const expected = (await app.db('asset_requests').where({ workspace_id: acme.id, requester_id: paging.id }).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])).map(r => r.id)

  const listed = (html: string) => [...html.matchAll(/<a href="\/requests\/([0-9a-f-]{36})">/g)].map(m => m[1])
  const first = await asPat.get('/requests')
  t.same(listed(first.body), expected.slice(0, 50), 'the first 50, newest first')
  const next = /hx-get="([^"]+)" hx-target="#requests-more"/.exec(first.body)?.[1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')
  t.ok(next, 'a Load more link')
  t.notMatch(next, /offset|page=/, 'a keyset cursor, not an offset')
  const more = await asPat.get(next!, { 'hx-request': 'true', 'hx-target': 'requests-more' })
  t.notMatch(more.body, '<html', 'htmx gets only the rows')
  t.same(listed(more.body), expected.slice(50), 'the rest, with no overlap or gap')
  t.notMatch(more.body, 'requests-more', 'and no further page')
  const plain = await asPat.get(next!)
  t.match(plain.body, 'Back to the newest', 'without JavaScript the page is whole')
  const junk = await asPat.get('/requests?after=garbage')
  t.same(listed(junk.body), expected.slice(0, 50), 'a malformed cursor starts from the newest')

  await requests.create(acme.id, systemActor, { requester_id: paging.id, category: '=HYPERLINK("http://x")', description: 'Comma, "quotes"\nand a line' })
  const csv = await asPat.get('/requests.csv')
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], 'text/csv')
  t.match(csv.headers['content-disposition'], 'attachment; filename="requests.csv"')
  const lines = csv.body.trimEnd().split('\r\n')
  t.equal(lines[0], '\uFEFFRequested at,Requester,Requester email,Category,Details,Status,Decided by,Decided at,Rejection reason,Hardware,Fulfilled at,Request id')
  t.equal(lines.length, 1 + 58, 'a header and a line per request of Pat (the quoted line break is \\n, rows end in \\r\\n)')
  t.match(csv.body, ',Pat Test,pat@acme.test,"\'=HYPERLINK(""http://x"")","Comma, ""quotes""\nand a line",created,', 'escaped, formulas defused')
  t.notMatch(csv.body, 'eve@acme.test', "only Pat's own")

  const adminCsv = await asAdmin.get('/requests.csv?status=rejected')
  const rows = adminCsv.body.trimEnd().split('\r\n').slice(1)
  const rejected = await app.db('asset_requests').where({ workspace_id: acme.id, status: 'rejected' }).count({ n: '*' })
  t.equal(rows.length, Number(rejected[0].n), 'the admin export follows the filter')
  t.ok(rows.every(r => r.includes(',rejected,')))
})
