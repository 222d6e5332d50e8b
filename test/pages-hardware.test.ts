import t from 'tap'
import { decodeAttr } from './helpers/lists.ts'
import { hardwarePages } from './helpers/hardware-pages.ts'
import { systemActor } from '../core/audit/index.ts'

// The hardware list (search, filters, sorting, paging), its CSV export and the detail page, as
// admins without JavaScript use them. Forms and actions: pages-hardware-forms.test.ts.

const { app, acme, mbp, thinkpad, monitor, phone, evil, old, foreign, tagsIn, idsIn, nextUrl, HAND, asAdmin, pagesOf, listsShowTags } = await hardwarePages(t)

t.test('signed out: redirected to sign in', async t => {
  const res = await app.inject({ url: '/hardware', headers: { host: 'acme.localhost' } })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/sign-in?next=%2Fhardware')
})

t.test('the list', async t => {
  t.test('admins see the workspace\'s hardware, 50 at a time, with the navigation', async t => {
    const res = await asAdmin.get('/hardware')
    t.equal(res.statusCode, 200)
    t.match(res.body, '<h1>Hardware</h1>')
    t.match(res.body, /<a href="\/hardware" aria-current="page">Hardware<\/a>/, 'the menu shows Hardware, current')
    t.match(res.body, 'href="/hardware/new"', 'admins can register hardware')
    t.same(tagsIn(res.body).slice(0, 6), ['A-001', 'A-002', 'A-003', 'A-004', 'A-005', 'A-006'], 'asset-tag order by default')
    t.equal(tagsIn(res.body).length, 50)
    t.notMatch(res.body, 'Other MacBook', 'other workspaces are not shown')
    t.match(res.body, /MacBook Pro 14<span class="cell-note">SN-MBP-1<\/span>/)
    t.match(res.body, /Pat Smith<span class="cell-note">pat@acme.test<\/span>/, 'the assignee')
    t.match(res.body, '<th scope="col" aria-sort="ascending">', 'the current sort is announced')
  })

  t.test('search (asset tag, serial, name, model, assignee name or email; every word) and filters', async t => {
    await listsShowTags(t, [
      ['q=thinkpad', ['A-002']],
      ['q=SN-TP', ['A-002']],
      ['q=21hm', ['A-002']],
      ['q=a-003', ['A-003']],
      ['q=smith&category=laptop', ['A-001']],
      ['q=quinn%40acme&category=laptop', []],
      ['q=eli%40acme.test', ['A-004']],
      ['q=apple+pat&category=laptop', []],
      ['q=macbook+pat', ['A-001']],
      ['q=100%25', []],
      ['q=_', []],
      ['status=in_repair', ['A-003']],
      ['category=phone', ['A-004']],
      ['manufacturer=Lenovo', ['A-002']],
      ['source=fixture-mdm', ['A-005']],
      ['status=retired&category=laptop', ['A-006']],
      ['category=laptop&manufacturer=Apple', ['A-001']]
    ])
    const none = await asAdmin.get('/hardware?q=nothing-like-this')
    t.match(none.body, 'No hardware matches these filters.')
    t.match(none.body, 'value="nothing-like-this"', 'the search box keeps its text')
    const res = await asAdmin.get('/hardware?manufacturer=Lenovo')
    t.match(res.body, '<option value="Lenovo" selected>Lenovo</option>', 'the filter keeps its value')
    t.match(res.body, '<option value="fixture-mdm">Fixture MDM</option>', 'sources are named by their plugin')
    t.match(res.body, '<option value="in_repair">In repair</option>')
  })

  t.test('an invalid filter is an inline message, not an error page', async t => {
    const res = await asAdmin.get(`/hardware?status=broken&q=${'x'.repeat(201)}`)
    t.equal(res.statusCode, 422)
    t.match(res.body, '<h1>Hardware</h1>')
    t.match(res.body, /<select id="hw-f-status" name="status" aria-invalid="true" aria-describedby="hw-f-status-error">/)
    t.match(res.body, /id="hw-f-status-error">Choose one of the listed values\./)
    t.match(res.body, /id="hw-q-error">Search with at most 200 characters\./)
    t.match(res.body, 'Correct the filters above to see hardware.')
    t.equal(tagsIn(res.body).length, 0)
  })

  t.test('sortable columns, each way; blanks last', async t => {
    const sorted = async (query: string) => tagsIn((await asAdmin.get(`/hardware?${HAND}&${query}`)).body)
    t.same(await sorted('sort=asset_tag&dir=desc'), ['A-006', 'A-005', 'A-004', 'A-003', 'A-002', 'A-001'])
    // "=HYPERLINK…" < "dell…" < "iphone…" < "macbook…" < "old…" < "thinkpad…", case-insensitively.
    t.same(await sorted('sort=name&dir=asc'), ['A-005', 'A-003', 'A-004', 'A-001', 'A-006', 'A-002'])
    t.same(await sorted('sort=model&dir=asc'), ['A-005', 'A-002', 'A-001', 'A-004', 'A-006', 'A-003'], 'no model last')
    t.same(await sorted('sort=model&dir=desc'), ['A-006', 'A-004', 'A-001', 'A-002', 'A-005', 'A-003'], 'no model last, descending too')
    // Ties are broken by id (random here), so only the groups are certain.
    const statusOf = Object.fromEntries([mbp, thinkpad, monitor, phone, evil, old].map(h => [h.asset_tag, h.id === mbp.id || h.id === phone.id ? 'assigned' : h.status]))
    t.same((await sorted('sort=status&dir=asc')).map(tag => statusOf[tag]), ['assigned', 'assigned', 'available', 'available', 'in_repair', 'retired'])
    t.same((await sorted('sort=status&dir=desc')).map(tag => statusOf[tag]), ['retired', 'in_repair', 'available', 'available', 'assigned', 'assigned'])
    const byAssignee = await sorted('sort=assignee&dir=asc')
    t.same(byAssignee.slice(0, 2), ['A-004', 'A-001'], 'by last name (Employee, Smith)…')
    t.same(byAssignee.slice(2).sort(), ['A-002', 'A-003', 'A-005', 'A-006'], '…then the unassigned')
    const byAssigneeDesc = await sorted('sort=assignee&dir=desc')
    t.same(byAssigneeDesc.slice(0, 2), ['A-001', 'A-004'], 'descending, the unassigned still last')
    const updated = await sorted('sort=updated')
    t.equal(updated[0], 'A-006', 'updated: newest first by default')

    const res = await asAdmin.get(`/hardware?${HAND}&sort=name&dir=asc`)
    const current = /<th scope="col" aria-sort="ascending">\s*<a class="sort-link" href="([^"]+)"/.exec(res.body)
    t.equal(decodeAttr(current![1]), '/hardware?q=SN-&sort=name&dir=desc', 'the current column flips')
    const links = [...res.body.matchAll(/<a class="sort-link" href="([^"]+)"/g)].map(m => decodeAttr(m[1]))
    t.ok(links.includes('/hardware?q=SN-&sort=updated&dir=desc'), 'another column starts at its default direction')
    t.match(res.body, '<input type="hidden" name="sort" value="name">', 'filtering keeps the sort')
    const unknown = await asAdmin.get(`/hardware?${HAND}&sort=serial;drop&dir=sideways`)
    t.equal(unknown.statusCode, 200, 'an unknown sort is the default one')
    t.same(tagsIn(unknown.body), ['A-001', 'A-002', 'A-003', 'A-004', 'A-005', 'A-006'])
  })

  t.test('keyset paging: every row once, in order, across pages, for every sort', async t => {
    const bulk = await app.db('hardware').where({ workspace_id: acme.id, category: 'bulk' }).pluck('asset_tag')
    t.equal(bulk.length, 120)
    for (const sort of ['asset_tag', 'name', 'model', 'status', 'assignee', 'updated']) {
      for (const dir of ['asc', 'desc']) {
        const { tags, pages } = await pagesOf(t, `/hardware?category=bulk&sort=${sort}&dir=${dir}`)
        t.equal(pages, 3, `${sort} ${dir}: three pages`)
        t.equal(tags.length, 120, `${sort} ${dir}: 120 rows`)
        t.equal(new Set(tags).size, 120, `${sort} ${dir}: no duplicates`)
        t.same([...tags].sort(), [...bulk].sort(), `${sort} ${dir}: no gaps`)
      }
    }
    const byTag = await pagesOf(t, '/hardware?category=bulk')
    t.same(byTag.tags, [...bulk].sort(), 'in asset-tag order')
    const byModel = await pagesOf(t, '/hardware?category=bulk&sort=model&dir=desc')
    const noModel = bulk.filter(tag => Number(tag.slice(2)) % 7 === 0)
    t.same([...byModel.tags.slice(-noModel.length)].sort(), noModel.sort(), 'hardware without a model comes last, across the page boundary')
    const byAssignee = await pagesOf(t, '/hardware?category=bulk&sort=assignee')
    t.same(byAssignee.tags.slice(0, 40).map(tag => Number(tag.slice(2)) % 3), Array(40).fill(0), 'assigned first')
    t.same(byAssignee.tags.slice(0, 20).map(tag => Number(tag.slice(2)) % 6), Array(20).fill(3), 'Quinn Jones before Pat Smith')
  })

  t.test('"Load more" with and without htmx; the next page link keeps filters and sort', async t => {
    const first = await asAdmin.get('/hardware?category=bulk&sort=name')
    const next = nextUrl(first.body)
    t.match(next, /^\/hardware\?category=bulk&sort=name&dir=asc&after=[A-Za-z0-9_-]+$/)
    const page = await asAdmin.get(next!)
    t.match(page.body, 'Back to the first page')
    t.match(page.body, '<h1>Hardware</h1>', 'without JavaScript: the whole page')
    const fragment = await asAdmin.get(next!, { 'hx-request': 'true', 'hx-target': 'hardware-more' })
    t.equal(fragment.statusCode, 200)
    t.notMatch(fragment.body, '<table', 'htmx gets only rows')
    t.same(idsIn(fragment.body), idsIn(page.body))
    t.ok(nextUrl(fragment.body), 'and the next Load more')
  })

  t.test('a cursor of another sort or a mangled one starts again; a doctored one is refused', async t => {
    const first = await asAdmin.get('/hardware?category=bulk&sort=name')
    const after = new URL(nextUrl(first.body)!, 'http://x').searchParams.get('after')!
    const otherSort = await asAdmin.get(`/hardware?category=bulk&sort=model&after=${after}`)
    t.equal(tagsIn(otherSort.body)[0], tagsIn((await asAdmin.get('/hardware?category=bulk&sort=model')).body)[0])
    t.equal((await asAdmin.get('/hardware?after=not-a-cursor')).statusCode, 200)
    const doctored = Buffer.from(JSON.stringify(['name', 'asc', 0, ['laptop'], 'not-a-uuid'])).toString('base64url')
    const res = await asAdmin.get(`/hardware?sort=name&after=${doctored}`)
    t.equal(res.statusCode, 400)
    t.match(res.body, 'This page link is damaged or out of date')
  })

  t.test('htmx filtering and sorting return the panel only', async t => {
    const res = await asAdmin.get('/hardware?category=phone', { 'hx-request': 'true', 'hx-target': 'hardware-panel' })
    t.equal(res.statusCode, 200)
    t.match(res.body, /^<div id="hardware-panel">/)
    t.notMatch(res.body, '<!doctype')
    t.same(tagsIn(res.body), ['A-004'])
    t.match(res.headers.vary, 'HX-Target')
  })
})

t.test('CSV export', async t => {
  const res = await asAdmin.get(`/hardware.csv?${HAND}&sort=asset_tag&dir=asc`)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], 'text/csv; charset=utf-8')
  t.match(res.headers['content-disposition'], /^attachment; filename="hardware-\d{4}-\d{2}-\d{2}\.csv"$/)
  const lines = res.body.replace(/^\uFEFF/, '').split('\r\n')
  t.ok(res.body.startsWith('\uFEFF'), 'a byte-order mark for Excel')
  t.match(lines[0], /^Asset tag,Serial number,Name,Category,Manufacturer,Model,.*,Assigned to,Assignee email,/)
  t.match(lines[1], /^A-001,SN-MBP-1,MacBook Pro 14,laptop,Apple,A2442,.*,Pat Smith,pat@acme.test,/)
  t.notMatch(res.body, 'Other MacBook')
  t.notMatch(res.body, 'BULK-', 'the search applies')
  // The evil row: formulas guarded, quotes doubled, a line break kept inside quotes.
  t.match(res.body, 'A-005,SN-EVIL,"\'=HYPERLINK(""http://evil.test"")",other,\'+cmd,\'-2+3,')
  t.match(res.body, '"He said ""hi"", then\nleft"')
  const filtered = await asAdmin.get('/hardware.csv?category=phone')
  t.equal(filtered.body.trim().split('\r\n').length, 2, 'the filter applies: header + one row')
  t.match(filtered.body, 'A-004,SN-IP-1,iPhone 15')
  const all = await asAdmin.get('/hardware.csv')
  t.equal(all.body.trim().split('\r\n').length, 1 + 6 + 120, 'every row, in batches')
  const invalid = await asAdmin.get('/hardware.csv?status=nope')
  t.equal(invalid.statusCode, 422)
  const list = await asAdmin.get('/hardware?category=phone')
  t.match(decodeAttr(list.body), 'href="/hardware.csv?category=phone"', 'the list links its export, filters kept')
})

t.test('detail page', async t => {
  const res = await asAdmin.get(`/hardware/${mbp.id}`)
  t.equal(res.statusCode, 200)
  t.match(res.body, /<h1>A-001 <span class="muted">MacBook Pro 14<\/span>/)
  t.match(res.body, /<dt>Serial number<\/dt><dd>SN-MBP-1<\/dd>/)
  t.match(res.body, /Assigned to <strong>Pat Smith<\/strong>/)
  t.match(res.body, /<h2 id="hw-history">Assignment history<\/h2>[\s\S]*Pat Smith<span class="cell-note">pat@acme.test<\/span>[\s\S]*still assigned[\s\S]*Starter kit/)
  t.match(res.body, /<h2 id="hw-trail">Audit trail<\/h2>[\s\S]*<code>hardware.assigned<\/code>[\s\S]*<code>hardware.created<\/code>/, 'the audit trail, newest first')
  t.match(res.body, `action="/hardware/${mbp.id}/recover"`, 'assigned: it can be recovered')
  t.notMatch(res.body, `action="/hardware/${mbp.id}/assign"`)
  t.match(res.body, `href="/hardware/${mbp.id}/edit"`)

  t.equal((await asAdmin.get(`/hardware/${foreign.id}`)).statusCode, 404, 'another workspace\'s hardware is not found')
  t.equal((await asAdmin.get('/hardware/not-an-id')).statusCode, 404)
})

t.test('search finds a serial whatever the Unicode form or case it is typed in', async t => {
  await app.registry.hardware.create(acme.id, systemActor, { asset_tag: 'A-900', serial: 'CAF\u00c9-900', name: 'Kiosk' })
  await listsShowTags(t, [
    [`q=${encodeURIComponent('cafe\u0301-900')}`, ['A-900']],
    [`q=${encodeURIComponent('caf\u00e9-900')}`, ['A-900']]
  ])
})
