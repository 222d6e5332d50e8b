import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import { allPages, decodeAttr, nextUrlIn } from './helpers/lists.ts'
import { writeProbe } from './helpers/register.ts'
import { systemActor } from '../core/audit/index.ts'
import type { Role } from '../core/auth/roles.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')
const { people, software } = app.registry

async function person (workspaceId: string, email: string, first: string, last: string, role: Role = 'employee') {
  return await people.create(workspaceId, systemActor, { email, first_name: first, last_name: last, role })
}

const ada = await person(acme.id, 'ada@acme.test', 'Ada', 'Admin', 'admin')
const eli = await person(acme.id, 'eli@acme.test', 'Eli', 'Employee')
const pat = await person(acme.id, 'pat@acme.test', 'Pat', 'Smith')
const quinn = await person(acme.id, 'quinn@acme.test', 'Quinn', 'Jones')
const olly = await person(acme.id, 'olly@acme.test', 'Olly', 'Gone')
await people.offboard(acme.id, systemActor, olly.id)
const stranger = await person(other.id, 'sam@other.test', 'Sam', 'Stranger')

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000)
// Figma: 4 seats held, 2 used in the last 30 days, 2 idle (one 45 days ago, one never).
const figma = await software.create(acme.id, systemActor, { name: 'Figma', vendor: 'Figma Inc', seats_purchased: 10, cost_per_seat: 15.5, renewal_date: '2025-03-01' })
const patFigma = await software.assignSeat(acme.id, systemActor, figma.id, { userId: pat.id }, { lastActiveAt: daysAgo(1) })
const quinnFigma = await software.assignSeat(acme.id, systemActor, figma.id, { userId: quinn.id }, { lastActiveAt: daysAgo(45) })
const eliFigma = await software.assignSeat(acme.id, systemActor, figma.id, { userId: eli.id })
await software.assignSeat(acme.id, systemActor, figma.id, { externalEmail: 'guest@partner.test' }, { lastActiveAt: daysAgo(2) })
// Slack: one more seat in use than purchased, all idle; VS Code: counted by hand; Notion: no cost, no seats.
const slack = await software.create(acme.id, systemActor, { name: 'Slack', seats_purchased: 1, cost_per_seat: 8 })
await software.assignSeat(acme.id, systemActor, slack.id, { userId: eli.id }, { lastActiveAt: daysAgo(31) })
await software.assignSeat(acme.id, systemActor, slack.id, { userId: pat.id })
const vscode = await software.create(acme.id, systemActor, { name: 'VS Code', seats_purchased: 50, cost_per_seat: 5, manual_seat_count: 40 })
const notion = await software.create(acme.id, systemActor, { name: 'Notion', vendor: 'Notion Labs', seats_purchased: 5 })
await software.create(acme.id, systemActor, { name: '=SUM(1+2)', vendor: '@vendor', seats_purchased: 1 })
const foreign = await software.create(other.id, systemActor, { name: 'Other Figma', seats_purchased: 3 })
const foreignSeat = await software.assignSeat(other.id, systemActor, foreign.id, { userId: stranger.id })

// Paging: 60 more titles (costs and renewals left out on some), and 120 outside seats on one of them.
await app.db.raw(`
  INSERT INTO software (workspace_id, name, seats_purchased, cost_per_seat, renewal_date)
  SELECT :ws, 'Tool ' || lpad(g::text, 3, '0'), g % 9,
    CASE WHEN g % 4 = 0 THEN NULL ELSE (g % 6) * 2.5 END,
    CASE WHEN g % 5 = 0 THEN NULL ELSE date '2026-01-01' + g END
  FROM generate_series(1, 60) g`, { ws: acme.id })
const bulk = await software.create(acme.id, systemActor, { name: 'Bulk', seats_purchased: 200, cost_per_seat: 1 })
await app.db.raw(`
  INSERT INTO software_assignments (workspace_id, software_id, external_email, last_active_at, assigned_at)
  SELECT :ws, :sw, 'seat-' || lpad(g::text, 3, '0') || '@ext.test',
    CASE WHEN g % 3 = 0 THEN NULL ELSE now() - g * interval '1 day' END,
    now() - (g % 10) * interval '1 hour'
  FROM generate_series(1, 120) g`, { ws: acme.id, sw: bulk.id })
// Seats 1–29 were active in the last 30 days except every third: 29 - 9 = 20 active, 100 idle.
const BULK_ACTIVE = 20

const ROW = /<td><a href="\/software\/([0-9a-f-]{36})">([^<]+)<\/a>/g
const namesIn = (html: string) => [...html.matchAll(ROW)].map(m => m[2].replace(/&#x3D;/g, '='))
const SEAT = /<tr>\s*<td>(?:<a href="\/people\/[0-9a-f-]{36}">[^<]+<\/a><span class="cell-note">)?([^<]+@[^<]+?)(?:<span| ·|<\/span>)/g
const seatsIn = (html: string) => [...(html.split('<tbody id="seat-rows">')[1] ?? html).matchAll(SEAT)].map(m => m[1])
const rowOf = (html: string, name: string) => {
  const start = html.indexOf(`">${name}</a>`)
  return html.slice(start, html.indexOf('</tr>', start))
}
const TOOLS = 'q=tool'

const as = (user: { id: string }) => signIn(app, { slug: 'acme', workspaceId: acme.id, userId: user.id })
const asAdmin = await as(ada)
const asEli = await as(eli)

const probe = writeProbe(app, ['software', 'software_assignments', 'audit_log', 'events'], [
  '(SELECT coalesce(sum(version), 0) FROM software WHERE workspace_id = :ws)::int AS versions',
  '(SELECT count(*) FROM software_assignments WHERE workspace_id = :ws AND revoked_at IS NOT NULL)::int AS revoked'
])
const counts = () => probe.counts(acme.id)

t.test('signed out: redirected to sign in', async t => {
  const res = await app.inject({ url: '/software', headers: { host: 'acme.localhost' } })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/sign-in?next=%2Fsoftware')
})

t.test('the list: seats purchased against in use, utilization and monthly spend', async t => {
  const res = await asAdmin.get('/software')
  t.equal(res.statusCode, 200)
  t.match(res.body, '<h1>Software</h1>')
  t.match(res.body, /<a href="\/software" aria-current="page">Software<\/a>/)
  // Where "=SUM…" sorts depends on the database's collation; the others do not.
  t.same(namesIn(res.body).filter(name => !name.startsWith('=')).slice(0, 5), ['Bulk', 'Figma', 'Notion', 'Slack', 'Tool 001'], 'by name')
  t.equal(namesIn(res.body).length, 50)
  t.notMatch(res.body, 'Other Figma')

  const figmaRow = rowOf(res.body, 'Figma')
  t.match(figmaRow, /<span class="cell-note">Figma Inc<\/span>/)
  t.match(figmaRow, />4 of 10<\/span>/, 'in use of purchased')
  t.match(figmaRow, /2<span class="cell-note">50% of held<\/span>/, 'active in the last 30 days')
  t.match(figmaRow, /<span class="badge badge-idle">2<\/span>/, 'idle')
  t.match(figmaRow, />15\.50<\/td>\s*<td class="num">62\.00<\/td>/, 'cost per seat and monthly spend (15.50 × 4)')
  t.match(figmaRow, '2025-03-01')
  t.match(rowOf(res.body, 'Slack'), /<span class="over">2 of 1<\/span>/, 'more in use than purchased')
  t.match(rowOf(res.body, 'Notion'), /0 of 5[\s\S]*<span class="muted">—<\/span>/)

  const idle = await software.idleSeats(acme.id)
  t.match(idle, { seats: 2 + 2 + 100, monthlyCost: 2 * 15.5 + 2 * 8 + 100 }, 'the register\'s idle figures for the seeded seats')
  t.match(res.body, /id="idle-summary">104 held seats are idle \(not used in the last 30 days, or never\), costing <strong>147\.00<\/strong> a month/)

  const tools = await asAdmin.get('/software?q=vs+code')
  t.same(namesIn(tools.body), ['VS Code'])
  t.match(rowOf(tools.body, 'VS Code'), /40 of 50<\/span><span class="cell-note">counted by hand<\/span>/)
  t.match(rowOf(tools.body, 'VS Code'), />200\.00<\/td>/, 'a count kept by hand is what is paid for')
  t.same(namesIn((await asAdmin.get('/software?q=labs')).body), ['Notion'], 'search by vendor')
  const none = await asAdmin.get('/software?q=nothing-like-this')
  t.match(none.body, 'No software matches this search.')
  const tooLong = await asAdmin.get(`/software?q=${'x'.repeat(201)}`)
  t.equal(tooLong.statusCode, 422)
  t.match(tooLong.body, /id="software-q-error">Search with at most 200 characters\./)
})

t.test('sortable, each way, blanks last; keyset paging; htmx', async t => {
  // q=a: Figma (4 in use, 2 idle, 62.00, renews 2025-03-01), Slack (2, 2, 16.00, no date), Notion Labs (0, 0, no cost, no date).
  const sorted = async (query: string) => namesIn((await asAdmin.get(`/software?q=a&${query}`)).body)
  t.same(await sorted('sort=name&dir=desc'), ['Slack', 'Notion', 'Figma'])
  t.same(await sorted('sort=in_use'), ['Figma', 'Slack', 'Notion'], 'in use, most first')
  t.same(await sorted('sort=in_use&dir=asc'), ['Notion', 'Slack', 'Figma'])
  t.same(await sorted('sort=spend'), ['Figma', 'Slack', 'Notion'], 'spend, most first, no cost last')
  t.same(await sorted('sort=spend&dir=asc'), ['Slack', 'Figma', 'Notion'], 'no cost last ascending too')
  t.equal((await sorted('sort=idle&dir=asc'))[0], 'Notion')
  t.equal((await sorted('sort=idle&dir=desc'))[2], 'Notion')
  t.equal((await sorted('sort=renewal&dir=asc'))[0], 'Figma', 'a renewal date first…')
  t.equal((await sorted('sort=renewal&dir=desc'))[0], 'Figma', '…both ways: titles without one come last')

  const tools = await app.db('software').where({ workspace_id: acme.id }).whereLike('name', 'Tool %').pluck('name')
  for (const sort of ['name', 'in_use', 'idle', 'spend', 'renewal']) {
    for (const dir of ['asc', 'desc']) {
      const { items, pages } = await allPages(t, asAdmin, `/software?${TOOLS}&sort=${sort}&dir=${dir}`, 'software', namesIn)
      t.equal(pages, 2, `${sort} ${dir}: two pages`)
      t.same([...items].sort(), [...tools].sort(), `${sort} ${dir}: every title once`)
    }
  }
  const bySpend = await allPages(t, asAdmin, `/software?${TOOLS}&sort=spend&dir=desc`, 'software', namesIn)
  const noCost = tools.filter(name => Number(name.slice(5)) % 4 === 0)
  t.same(bySpend.items.slice(-noCost.length).sort(), noCost.sort(), 'no cost comes last, across the page boundary')

  const panel = await asAdmin.get('/software?q=figma', { 'hx-request': 'true', 'hx-target': 'software-panel' })
  t.match(panel.body, /^<div id="software-panel">/)
  t.same(namesIn(panel.body), ['Figma'])
  const res = await asAdmin.get('/software?q=figma&sort=spend')
  t.match(res.body, '<input type="hidden" name="sort" value="spend">', 'searching keeps the sort')
})

t.test('CSV export', async t => {
  const res = await asAdmin.get('/software.csv?q=figma')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-disposition'], /^attachment; filename="software-\d{4}-\d{2}-\d{2}\.csv"$/)
  const lines = res.body.replace(/^\uFEFF/, '').trim().split('\r\n')
  t.equal(lines[0], 'Software,Vendor,Seats purchased,Seats in use,Counted by hand,Seats assigned,Active seats,Idle seats,Utilization %,Cost per seat,Monthly spend,Idle cost,Renewal date,Source,Id')
  t.match(lines[1], `Figma,Figma Inc,10,4,,4,2,2,50,15.5,62,31,2025-03-01,manual,${figma.id}`)
  t.equal(lines.length, 2)
  const evilCsv = await asAdmin.get('/software.csv?q=sum')
  t.match(evilCsv.body, '\'=SUM(1+2),\'@vendor,1,0,', 'formulas are guarded')
  const vs = await asAdmin.get('/software.csv?q=vs+code')
  t.match(vs.body, 'VS Code,,50,40,40,0,0,0,,5,200,0,', 'counted by hand')
  const all = await asAdmin.get('/software.csv?sort=spend')
  t.equal(all.body.trim().split('\r\n').length, 1 + 6 + 60, 'every title')
})

t.test('detail: figures, seats, reclaim list', async t => {
  const res = await asAdmin.get(`/software/${figma.id}`)
  t.equal(res.statusCode, 200)
  t.match(res.body, /<h1>Figma <span class="muted">Figma Inc<\/span><\/h1>/)
  t.match(res.body, /id="seats-in-use">4 <span class="muted">of 10<\/span>/)
  t.match(res.body, /id="utilization">50%<\/p>/)
  t.match(res.body, /2 active in the last 30 days · <span id="idle-count">2<\/span> idle/)
  t.match(res.body, /id="monthly-spend">62\.00<\/p>/)
  t.match(res.body, /idle seats cost <strong id="idle-cost">31\.00<\/strong>/)
  t.same(seatsIn(res.body), ['eli@acme.test', 'guest@partner.test', 'pat@acme.test', 'quinn@acme.test'], 'every seat by holder')
  t.match(res.body, `<a href="/people/${pat.id}">Pat Smith</a>`, 'a person links to their page')
  t.match(res.body, /guest@partner.test<span class="cell-note">outside the workspace<\/span>/)
  const reclaim = res.body.slice(res.body.indexOf('id="reclaim-list"'), res.body.indexOf('id="seats-panel"'))
  t.match(reclaim, 'Quinn Jones')
  t.match(reclaim, /Eli Employee[\s\S]*last active never/)
  t.notMatch(reclaim, 'Pat Smith', 'a seat used yesterday is not idle')
  t.notMatch(reclaim, 'guest@partner.test')
  t.match(reclaim, `action="/software/${figma.id}/seats/${quinnFigma.id}/revoke"`)
  t.match(res.body, /<h2 id="sw-trail">Audit trail<\/h2>[\s\S]*<code>software.assigned<\/code>[\s\S]*<code>software.created<\/code>/)

  const idleOnly = await asAdmin.get(`/software/${figma.id}?seats=idle`)
  t.same(seatsIn(idleOnly.body), ['eli@acme.test', 'quinn@acme.test'])
  t.match(decodeAttr(idleOnly.body), /<a class="pill" href="[^"]*seats=idle#seats" aria-current="true"/)
  t.same(seatsIn((await asAdmin.get(`/software/${figma.id}?seats=active`)).body), ['guest@partner.test', 'pat@acme.test'])
  t.same(seatsIn((await asAdmin.get(`/software/${figma.id}?sort=last_active&dir=desc`)).body), ['pat@acme.test', 'guest@partner.test', 'quinn@acme.test', 'eli@acme.test'], 'never used last')
  t.same(seatsIn((await asAdmin.get(`/software/${figma.id}?sort=last_active&dir=asc`)).body), ['quinn@acme.test', 'guest@partner.test', 'pat@acme.test', 'eli@acme.test'], 'never used last ascending too')
  const bad = await asAdmin.get(`/software/${figma.id}?seats=gone`)
  t.equal(bad.statusCode, 422)
  t.match(bad.body, 'This seat filter is unknown')

  t.equal((await asAdmin.get(`/software/${foreign.id}`)).statusCode, 404, 'another workspace\'s software is not found')
  t.equal((await asAdmin.get('/software/not-an-id')).statusCode, 404)
})

t.test('detail: a title\'s seats page by keyset; the reclaim list shows the first idle ones', async t => {
  const { items, pages } = await allPages(t, asAdmin, `/software/${bulk.id}`, 'seats', seatsIn)
  t.equal(pages, 3)
  t.equal(items.length, 120)
  t.same(items, [...items].sort(), 'by holder')
  for (const [sort, dir] of [['assigned', 'desc'], ['assigned', 'asc'], ['last_active', 'desc'], ['last_active', 'asc']]) {
    const all = await allPages(t, asAdmin, `/software/${bulk.id}?sort=${sort}&dir=${dir}`, 'seats', seatsIn)
    t.equal(new Set(all.items).size, 120, `${sort} ${dir}: every seat once`)
  }
  const fragment = await asAdmin.get(nextUrlIn((await asAdmin.get(`/software/${bulk.id}`)).body, 'seats')!, { 'hx-request': 'true', 'hx-target': 'seats-more' })
  t.notMatch(fragment.body, '<table', 'htmx "Load more" gets only rows')
  t.match(fragment.body, /<form method="post" action="\/software\/[0-9a-f-]{36}\/seats\/[0-9a-f-]{36}\/revoke"/, 'each with its Revoke button')
  t.match(fragment.body, /<input type="hidden" name="_csrf" value="[^"]+">/, 'and its CSRF token')
  const idle = await allPages(t, asAdmin, `/software/${bulk.id}?seats=idle`, 'seats', seatsIn)
  t.equal(idle.items.length, 120 - BULK_ACTIVE, 'idle by the register\'s rule')
  const page = await asAdmin.get(`/software/${bulk.id}`)
  t.match(page.body, /id="idle-count">100<\/span>/)
  t.match(decodeAttr(page.body), /<a href="[^"]*seats=idle&sort=last_active&dir=asc#seats">See all 100 idle seats<\/a>/)
  const reclaim = page.body.slice(page.body.indexOf('id="reclaim-list"'), page.body.indexOf('id="seats-panel"'))
  t.equal([...reclaim.matchAll(/<li>/g)].length, 20)
  t.match(reclaim, 'seat-119@ext.test', 'the longest unused first')
})

t.test('create', async t => {
  const form = await asAdmin.get('/software/new')
  t.equal(form.statusCode, 200)
  t.match(form.body, /<fieldset class="form-section">\s*<legend>Licence<\/legend>/)
  t.match(form.body, /<label for="software-manual-seat-count">Seats in use, counted by hand <span class="muted">\(optional\)<\/span><\/label>/)
  t.match(form.body, 'id="software-seats-purchased" name="seats_purchased" value="0"')

  t.test('invalid input: inline errors, input kept, nothing written', async t => {
    const before = await counts()
    const res = await asAdmin.post('/software/new', { name: '', vendor: 'Kept <vendor>', seats_purchased: '-2', cost_per_seat: '12,50', renewal_date: '2025-02-30' })
    t.equal(res.statusCode, 422)
    t.match(res.body, 'The software was not saved. Correct the fields marked below.')
    t.match(res.body, /<input id="software-name" name="name" value="" required aria-required="true" maxlength="255" aria-describedby="software-name-error" aria-invalid="true"/)
    t.match(res.body, /id="software-name-error">Name must not be empty\./)
    t.match(res.body, /id="software-seats-purchased-error">Seats purchased must be a whole number\./)
    t.match(res.body, /id="software-cost-per-seat-error">Cost per seat must be a number\./)
    t.match(res.body, /id="software-renewal-date-error">Renewal date must be a date/)
    t.match(res.body, 'value="Kept &lt;vendor&gt;"')
    t.match(res.body, 'value="12,50"')
    const duplicate = await asAdmin.post('/software/new', { name: 'figma', seats_purchased: '1' })
    t.match(duplicate.body, /id="software-name-error">Name is already used by other software in this workspace\./)
    t.same(await counts(), before, 'nothing written')
  })

  t.test('valid input adds the licence and opens its page', async t => {
    const res = await asAdmin.post('/software/new', { name: 'Miro', vendor: 'Miro', seats_purchased: '15', cost_per_seat: '9.99', renewal_date: '2026-06-30', manual_seat_count: '' })
    t.equal(res.statusCode, 303)
    const created = await app.db('software').where({ workspace_id: acme.id, name: 'Miro' }).first()
    t.equal(res.headers.location, `/software/${created.id}`)
    t.match(created, { seats_purchased: 15, cost_per_seat: '9.99', manual_seat_count: null, source: 'manual' })
    t.match((await asAdmin.get(res.headers.location as string)).body, 'Added Miro.')
  })
})

t.test('edit', async t => {
  const form = await asAdmin.get(`/software/${notion.id}/edit`)
  t.equal(form.statusCode, 200)
  t.match(form.body, `<input type="hidden" name="version" value="${notion.version}">`)
  t.match(form.body, 'value="Notion Labs"')
  const fields = { name: 'Notion', vendor: 'Notion Labs', seats_purchased: '5', cost_per_seat: '10', renewal_date: '', manual_seat_count: '' }

  const saved = await asAdmin.post(`/software/${notion.id}/edit`, { ...fields, version: String(notion.version) })
  t.equal(saved.statusCode, 303)
  t.match(await software.get(acme.id, notion.id), { cost_per_seat: 10, version: notion.version + 1 })
  t.match((await asAdmin.get(`/software/${notion.id}`)).body, 'Saved Notion.')
  const unchanged = await asAdmin.post(`/software/${notion.id}/edit`, { ...fields, version: String(notion.version + 1) })
  t.equal(unchanged.statusCode, 303)
  t.match((await asAdmin.get(`/software/${notion.id}`)).body, 'Nothing to save: Notion is unchanged.')

  await software.update(acme.id, systemActor, notion.id, { seats_purchased: 8 }) // someone else saves
  const before = await counts()
  const stale = await asAdmin.post(`/software/${notion.id}/edit`, { ...fields, cost_per_seat: '11', version: String(notion.version + 1) })
  t.equal(stale.statusCode, 409)
  t.match(stale.body, 'Not saved: someone else changed this software while you were editing it.')
  t.match(stale.body, 'value="11"', 'the input is kept')
  t.match(stale.body, /id="software-seats-purchased-saved">Saved now: <strong>8<\/strong>/)
  t.match(stale.body, `<input type="hidden" name="version" value="${notion.version + 2}">`)
  t.same(await counts(), before, 'nothing written')

  const invalid = await asAdmin.post(`/software/${notion.id}/edit`, { ...fields, manual_seat_count: '-1', version: String(notion.version + 2) })
  t.equal(invalid.statusCode, 422)
  t.match(invalid.body, /id="software-manual-seat-count-error">Seats in use, counted by hand must be a whole number\./)
  t.equal((await software.get(acme.id, notion.id)).version, notion.version + 2)
})

t.test('assign a seat by hand: a person or an outside email', async t => {
  const page = await asAdmin.get(`/software/${notion.id}`)
  t.match(page.body, `action="/software/${notion.id}/seats"`)
  t.match(page.body, /<datalist id="seat-people">[\s\S]*<option value="quinn@acme.test">Quinn Jones<\/option>/)

  const before = await counts()
  const refused: Array<[Record<string, string>, RegExp]> = [
    [{}, /id="seat-person-error">Choose a person, or enter an outside email address\./],
    [{ person: 'pat@acme.test', external_email: 'x@y.test' }, /id="seat-person-error">Fill in one of the two/],
    [{ person: 'nobody@acme.test' }, /id="seat-person-error">No one in this workspace has the name or email/],
    [{ person: 'olly@acme.test' }, /id="seat-person-error">Olly Gone is offboarded: only active people can hold a seat\./],
    [{ external_email: 'not an email' }, /id="seat-external-error">This address must be a valid email address\./]
  ]
  for (const [form, message] of refused) {
    const res = await asAdmin.post(`/software/${notion.id}/seats`, form)
    t.equal(res.statusCode, 422, JSON.stringify(form))
    t.match(res.body, message)
    if (form.person) t.match(res.body, `value="${form.person}"`, 'the input is kept')
  }
  const held = await asAdmin.post(`/software/${figma.id}/seats`, { person: 'Pat Smith' })
  t.equal(held.statusCode, 422)
  t.match(held.body, /id="seat-person-error">This person already holds an active seat of this software\./)
  t.same(await counts(), before, 'nothing written')

  const res = await asAdmin.post(`/software/${notion.id}/seats`, { person: 'Quinn Jones' })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, `/software/${notion.id}`)
  const [seat] = await app.db('software_assignments').where({ workspace_id: acme.id, software_id: notion.id, user_id: quinn.id })
  t.ok(seat, 'the seat is held')
  t.equal((await app.db('events').where({ workspace_id: acme.id, type: 'software.assigned' }).whereRaw("payload->>'id' = ?", [seat.id])).length, 1, 'software.assigned is in the outbox')
  const after = await asAdmin.get(`/software/${notion.id}`)
  t.match(after.body, 'Quinn Jones now holds a seat of Notion.')
  t.same(seatsIn(after.body), ['quinn@acme.test'])
  t.match(after.body, /id="seats-in-use">1 <span class="muted">of 8<\/span>/)

  const outside = await asAdmin.post(`/software/${notion.id}/seats`, { external_email: 'Contractor@Agency.test' })
  t.equal(outside.statusCode, 303)
  const again = await asAdmin.post(`/software/${notion.id}/seats`, { external_email: 'contractor@agency.test' })
  t.equal(again.statusCode, 422)
  t.match(again.body, /id="seat-external-error">This address already holds an active seat of this software\./)
})

t.test('revoke a seat', async t => {
  const before = await counts()
  t.equal((await asAdmin.post(`/software/${notion.id}/seats/${patFigma.id}/revoke`, {})).statusCode, 404, 'a seat of another title is not found there')
  t.equal((await asAdmin.post(`/software/${figma.id}/seats/${foreignSeat.id}/revoke`, {})).statusCode, 404, 'nor another workspace\'s seat')
  t.same(await counts(), before)

  const res = await asAdmin.post(`/software/${figma.id}/seats/${quinnFigma.id}/revoke`, {})
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, `/software/${figma.id}`)
  t.ok((await app.db('software_assignments').where({ id: quinnFigma.id }).first()).revoked_at)
  t.equal((await app.db('events').where({ workspace_id: acme.id, type: 'software.revoked' }).whereRaw("payload->>'id' = ?", [quinnFigma.id])).length, 1, 'software.revoked is in the outbox')
  const page = await asAdmin.get(`/software/${figma.id}`)
  t.match(page.body, 'Revoked the Figma seat of Quinn Jones.')
  t.match(page.body, /id="idle-count">1<\/span>/, 'one idle seat fewer')
  t.match(page.body, /id="monthly-spend">46\.50<\/p>/)
  const twice = await asAdmin.post(`/software/${figma.id}/seats/${quinnFigma.id}/revoke`, {})
  t.equal(twice.statusCode, 409)
  t.match(twice.body, 'The Figma seat of Quinn Jones was already revoked, so nothing was done.')
})

t.test('a seat count kept by hand, for a tool with no API', async t => {
  const page = await asAdmin.get(`/software/${vscode.id}`)
  t.match(page.body, /<input id="seat-count" name="manual_seat_count" value="40"/)
  t.match(page.body, /id="seats-in-use">40 <span class="muted">of 50<\/span>/)
  t.match(page.body, 'counted by hand')
  const version = (await software.get(acme.id, vscode.id)).version

  const invalid = await asAdmin.post(`/software/${vscode.id}/seat-count`, { manual_seat_count: 'lots', version: String(version) })
  t.equal(invalid.statusCode, 422)
  t.match(invalid.body, /id="seat-count-error">Seats in use, counted by hand must be a whole number\./)
  t.match(invalid.body, 'value="lots"')
  await software.update(acme.id, systemActor, vscode.id, { vendor: 'Microsoft' }) // someone else saves
  const stale = await asAdmin.post(`/software/${vscode.id}/seat-count`, { manual_seat_count: '41', version: String(version) })
  t.equal(stale.statusCode, 409)
  t.match(stale.body, 'Someone changed VS Code since you opened this page, so the count was not saved.')
  t.match(stale.body, `<input type="hidden" name="version" value="${version + 1}">`, 'the form now carries the new version')
  t.equal((await software.get(acme.id, vscode.id)).manual_seat_count, 40)

  const res = await asAdmin.post(`/software/${vscode.id}/seat-count`, { manual_seat_count: '44', version: String(version + 1) })
  t.equal(res.statusCode, 303)
  t.equal((await software.get(acme.id, vscode.id)).manual_seat_count, 44)
  const after = await asAdmin.get(`/software/${vscode.id}`)
  t.match(after.body, 'VS Code: 44 seats in use, counted by hand.')
  t.match(after.body, /id="monthly-spend">220\.00<\/p>/)
  t.match(after.body, /<code>software.updated<\/code>/)
  const cleared = await asAdmin.post(`/software/${vscode.id}/seat-count`, { manual_seat_count: '', version: String(version + 2) })
  t.equal(cleared.statusCode, 303)
  t.equal((await software.get(acme.id, vscode.id)).manual_seat_count, null)
  t.match((await asAdmin.get(`/software/${vscode.id}`)).body, /id="seats-in-use">0 <span class="muted">of 50<\/span>/)
})

t.test('employees: only the seats they hold, read-only', async t => {
  const mine = await asEli.get('/software')
  t.equal(mine.statusCode, 200)
  t.match(mine.body, 'The software seats you hold.')
  t.match(mine.body, /<td>Figma<\/td>\s*<td class="nowrap"><time[^>]*>[^<]*<\/time><\/td>\s*<td class="nowrap"><span class="muted">never<\/span>/)
  t.match(mine.body, '<td>Slack</td>')
  t.notMatch(mine.body, 'Notion')
  t.notMatch(mine.body, 'href="/software/', 'no links to the admin pages')
  t.notMatch(mine.body, 'Add software')
  for (const url of ['/software.csv', '/software/new', `/software/${figma.id}`, `/software/${figma.id}/edit`]) {
    t.equal((await asEli.get(url)).statusCode, 403, `GET ${url}`)
  }
  const before = await counts()
  for (const url of ['/software/new', `/software/${figma.id}/edit`, `/software/${figma.id}/seats`, `/software/${figma.id}/seats/${eliFigma.id}/revoke`, `/software/${figma.id}/seat-count`]) {
    t.equal((await asEli.post(url, { name: 'Mine', person: 'eli@acme.test', manual_seat_count: '1' })).statusCode, 403, `POST ${url}`)
  }
  t.same(await counts(), before, 'nothing changed')
})

t.test('another workspace\'s ids are not found', async t => {
  for (const url of [`/software/${foreign.id}`, `/software/${foreign.id}/edit`]) t.equal((await asAdmin.get(url)).statusCode, 404, url)
  for (const url of [`/software/${foreign.id}/edit`, `/software/${foreign.id}/seats`, `/software/${foreign.id}/seat-count`, `/software/${foreign.id}/seats/${foreignSeat.id}/revoke`]) {
    t.equal((await asAdmin.post(url, { name: 'Mine', person: 'pat@acme.test', manual_seat_count: '1' })).statusCode, 404, `POST ${url}`)
  }
  t.match(await software.get(other.id, foreign.id), { name: 'Other Figma', version: 1 })
  t.notOk((await app.db('software_assignments').where({ id: foreignSeat.id }).first()).revoked_at)
})
