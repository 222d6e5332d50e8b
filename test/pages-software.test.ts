import t from 'tap'
import { allPages, decodeAttr, nextUrlIn } from './helpers/lists.ts'
import { softwareFixture } from './helpers/software-pages.ts'

// The Software list (figures, sorting, paging), its CSV export and the detail page with its
// seats. Forms and seat actions: pages-software-forms.test.ts.

const { app, acme, software, pat, figma, quinnFigma, foreign, bulk, BULK_ACTIVE, namesIn, seatsIn, rowOf, TOOLS, asAdmin } = await softwareFixture(t)

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
  t.match(figmaRow, />US\$15\.50<\/td>\s*<td class="num">US\$155\.00<span class="cell-note">10 paid · 4 assigned · 2 idle<\/span><\/td>/, 'cost per seat and monthly spend: every purchased seat (15.50 × 10)')
  t.match(figmaRow, '2025-03-01')
  t.match(rowOf(res.body, 'Slack'), /<span class="over">2 of 1<\/span>/, 'more in use than purchased')
  t.match(rowOf(res.body, 'Notion'), /0 of 5[\s\S]*<span class="muted">—<\/span>/)

  const idle = await software.idleSeats(acme.id)
  t.match(idle, { seats: 2 + 2 + 100, monthlyCost: 2 * 15.5 + 2 * 8 + 100 }, 'the register\'s idle figures for the seeded seats')
  t.match(res.body, /id="idle-summary">104 held seats are idle \(held for 30 days or more and not used in the last 30\), costing <strong>US\$147\.00<\/strong> a month/)

  const tools = await asAdmin.get('/software?q=vs+code')
  t.same(namesIn(tools.body), ['VS Code'])
  t.match(rowOf(tools.body, 'VS Code'), /40 of 50<\/span><span class="cell-note">counted by hand<\/span>/)
  t.match(rowOf(tools.body, 'VS Code'), />US\$250\.00<span class="cell-note">50 paid/, 'purchased seats are paid for, whatever the count in use')
  t.same(namesIn((await asAdmin.get('/software?q=labs')).body), ['Notion'], 'search by vendor')
  const none = await asAdmin.get('/software?q=nothing-like-this')
  t.match(none.body, 'No software matches this search.')
  const tooLong = await asAdmin.get(`/software?q=${'x'.repeat(201)}`)
  t.equal(tooLong.statusCode, 422)
  t.match(tooLong.body, /id="software-q-error">Search with at most 200 characters\./)
})

t.test('sortable, each way, blanks last; keyset paging; htmx', async t => {
  // q=a: Figma (4 in use, 2 idle, 155.00, renews 2025-03-01), Slack (2, 2, 8.00, no date), Notion Labs (0, 0, no cost, no date).
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
  t.equal(lines[0], 'Software,Vendor,Seats purchased,Seats in use,Counted by hand,Seats assigned,Active seats,Idle seats,Utilization %,Cost per seat,Monthly spend,Idle cost,Currency,Renewal date,Source,Id')
  t.match(lines[1], `Figma,Figma Inc,10,4,,4,2,2,50,15.5,155,31,USD,2025-03-01,manual,${figma.id}`)
  t.equal(lines.length, 2)
  const evilCsv = await asAdmin.get('/software.csv?q=sum')
  t.match(evilCsv.body, '\'=SUM(1+2),\'@vendor,1,0,', 'formulas are guarded')
  const vs = await asAdmin.get('/software.csv?q=vs+code')
  t.match(vs.body, 'VS Code,,50,40,40,0,0,0,,5,250,0,USD,', 'counted by hand')
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
  t.match(res.body, /id="monthly-spend">US\$155\.00<\/p>/)
  t.match(res.body, '10 purchased seats × US$15.50 · 4 assigned · 2 idle, costing <strong id="idle-cost">US$31.00</strong>')
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
