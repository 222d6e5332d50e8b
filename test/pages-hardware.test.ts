import t, { type Test } from 'tap'
import { fileURLToPath } from 'node:url'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import { allPages, decodeAttr, listsShow, nextUrlIn } from './helpers/lists.ts'
import { systemActor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import type { Role } from '../core/auth/roles.ts'

const fixtureMdm = fileURLToPath(new URL('./fixtures/lookup-plugin/', import.meta.url))
const plugins = await discoverPlugins({ builtinDir: null, pluginDirs: [fixtureMdm] })
const { app, workspace } = await buildTestApp(t, {}, { plugins })
const acme = await workspace('acme')
const other = await workspace('other')
const r = app.registry.hardware

async function person (workspaceId: string, email: string, first: string, last: string, role: Role = 'employee') {
  return await app.registry.people.create(workspaceId, systemActor, { email, first_name: first, last_name: last, role })
}

const admin = await person(acme.id, 'ada@acme.test', 'Ada', 'Admin', 'admin')
const eli = await person(acme.id, 'eli@acme.test', 'Eli', 'Employee')
const pat = await person(acme.id, 'pat@acme.test', 'Pat', 'Smith')
const quinn = await person(acme.id, 'quinn@acme.test', 'Quinn', 'Jones')
const olly = await person(acme.id, 'olly@acme.test', 'Olly', 'Gone')
await app.registry.people.offboard(acme.id, systemActor, olly.id)

// Six hand-made records (serials SN-…), one in another workspace, and 120 bulk rows for paging.
const mbp = await r.create(acme.id, systemActor, { asset_tag: 'A-001', serial: 'SN-MBP-1', name: 'MacBook Pro 14', category: 'laptop', manufacturer: 'Apple', model: 'A2442' })
await r.assign(acme.id, systemActor, mbp.id, pat.id, { note: 'Starter kit' })
const thinkpad = await r.create(acme.id, systemActor, { asset_tag: 'A-002', serial: 'SN-TP-1', name: 'ThinkPad X1', category: 'laptop', manufacturer: 'Lenovo', model: '21HM' })
const monitor = await r.create(acme.id, systemActor, { asset_tag: 'A-003', serial: 'SN-DM-1', name: 'Dell Monitor', category: 'monitor', manufacturer: 'Dell', status: 'in_repair' })
const phone = await r.create(acme.id, systemActor, { asset_tag: 'A-004', serial: 'SN-IP-1', name: 'iPhone 15', category: 'phone', manufacturer: 'Apple', model: 'A3090' })
await r.assign(acme.id, systemActor, phone.id, eli.id)
const evil = await r.create(acme.id, systemActor, {
  asset_tag: 'A-005',
  serial: 'SN-EVIL',
  name: '=HYPERLINK("http://evil.test")',
  category: 'other',
  manufacturer: '+cmd',
  model: '-2+3',
  notes: 'He said "hi", then\nleft',
  source: 'fixture-mdm'
})
const old = await r.create(acme.id, systemActor, { asset_tag: 'A-006', serial: 'SN-OLD', name: 'Old laptop', category: 'laptop', manufacturer: 'HP', model: 'ProBook', status: 'retired' })
const foreign = await r.create(other.id, systemActor, { serial: 'SN-OTHER', name: 'Other MacBook' })

// Bulk rows, set-based: every 7th has no model, every 3rd is assigned (to Pat or Quinn).
await app.db.raw(`
  INSERT INTO hardware (workspace_id, asset_tag, serial, name, category, model, status, assigned_user_id, assigned_at, updated_at)
  SELECT :ws, 'B-' || lpad(g::text, 3, '0'), 'BULK-' || g, 'Bulk device ' || (g % 10), 'bulk',
    CASE WHEN g % 7 = 0 THEN NULL ELSE 'Model ' || (g % 5) END,
    CASE WHEN g % 3 = 0 THEN 'assigned' ELSE 'available' END,
    CASE WHEN g % 6 = 0 THEN :pat::uuid WHEN g % 3 = 0 THEN :quinn::uuid END,
    CASE WHEN g % 3 = 0 THEN now() END,
    now() - (g % 4) * interval '1 hour'
  FROM generate_series(1, 120) g`, { ws: acme.id, pat: pat.id, quinn: quinn.id })

const ROW = /<td class="nowrap"><a href="\/hardware\/([0-9a-f-]{36})">([^<]+)<\/a><\/td>/g
/** Asset tags of the table rows, in order. */
const tagsIn = (html: string) => [...html.matchAll(ROW)].map(m => m[2])
const idsIn = (html: string) => [...html.matchAll(ROW)].map(m => m[1])
const nextUrl = (html: string) => nextUrlIn(html, 'hardware')
const HAND = 'q=SN-'

const asAdmin = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: admin.id })
const asEli = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: eli.id })

const pagesOf = async (t: Test, url: string) => {
  const { items, pages } = await allPages(t, asAdmin, url, 'hardware', tagsIn)
  return { tags: items, pages }
}
const listsShowTags = (t: Test, cases: Array<[string, string[]]>) => listsShow(t, asAdmin, '/hardware', tagsIn, cases)

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
    t.match(res.body, '<option value="in_repair">in repair</option>')
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

t.test('create', async t => {
  const form = await asAdmin.get('/hardware/new')
  t.equal(form.statusCode, 200)
  t.match(form.body, /<fieldset class="form-section">\s*<legend>Identity<\/legend>/)
  t.match(form.body, /<label for="hw-serial">Serial number<\/label>/)
  t.notMatch(form.body, 'Look up by serial', 'no lookup without a connected integration')

  const count = async () => Number((await app.db('hardware').where({ workspace_id: acme.id }).count({ n: '*' }))[0].n)
  const audits = async () => Number((await app.db('audit_log').where({ workspace_id: acme.id }).count({ n: '*' }))[0].n)

  t.test('invalid input: inline errors beside each field, input kept, nothing written', async t => {
    const before = { hardware: await count(), audit: await audits() }
    const res = await asAdmin.post('/hardware/new', {
      serial: 'SN-TP-1', name: '', mac_address: 'not-a-mac', purchase_price: '12,50', model: 'Keep <me>', notes: 'typed notes'
    })
    t.equal(res.statusCode, 422)
    t.match(res.body, 'The hardware was not saved. Correct the fields marked below.')
    t.match(res.body, /<input id="hw-name" name="name" value="" required aria-required="true" maxlength="255" aria-describedby="hw-name-hint hw-name-error" aria-invalid="true"/)
    t.match(res.body, /<p class="field-error" id="hw-name-error">Name must not be empty\.<\/p>/)
    t.match(res.body, /id="hw-mac-address-error">MAC address must be a MAC address/)
    t.match(res.body, /id="hw-purchase-price-error">Purchase price must be a number\.<\/p>/)
    t.match(res.body, 'value="Keep &lt;me&gt;"', 'typed values are kept (escaped)')
    t.match(res.body, '>typed notes</textarea>')
    t.match(res.body, 'value="not-a-mac"')
    t.same({ hardware: await count(), audit: await audits() }, before, 'nothing written')

    const duplicate = await asAdmin.post('/hardware/new', { serial: 'SN-TP-1', name: 'Second ThinkPad' })
    t.equal(duplicate.statusCode, 422)
    t.match(duplicate.body, /id="hw-serial-error">Serial number is already used by other hardware in this workspace\.<\/p>/)
    t.equal(await count(), before.hardware)
  })

  t.test('valid input registers it with the next asset tag and opens its page', async t => {
    const res = await asAdmin.post('/hardware/new', {
      serial: 'SN-NEW-1',
      name: 'Surface Laptop',
      category: 'laptop',
      manufacturer: 'Microsoft',
      mac_address: '3c-22-fb-0a-1b-2c',
      purchase_price: '1299.50',
      purchase_date: '2024-05-01',
      status: 'available',
      condition: 'new'
    })
    t.equal(res.statusCode, 303)
    const created = await app.db('hardware').where({ workspace_id: acme.id, serial: 'SN-NEW-1' }).first()
    t.equal(res.headers.location, `/hardware/${created.id}`)
    t.match(created, { name: 'Surface Laptop', asset_tag: 'ACME-000001', mac_address: '3C:22:FB:0A:1B:2C', purchase_price: '1299.50', condition: 'new', source: 'manual' })
    const page = await asAdmin.get(res.headers.location as string)
    t.match(page.body, 'Registered ACME-000001 Surface Laptop.', 'a flash message')
  })
})

t.test('edit', async t => {
  const form = await asAdmin.get(`/hardware/${thinkpad.id}/edit`)
  t.equal(form.statusCode, 200)
  const current = await r.get(acme.id, thinkpad.id)
  t.match(form.body, `<input type="hidden" name="version" value="${current.version}">`)
  t.match(form.body, 'value="ThinkPad X1"')
  t.match(form.body, /<select id="hw-status" name="status" aria-describedby="hw-status-hint">/)
  const assignedForm = await asAdmin.get(`/hardware/${mbp.id}/edit`)
  t.match(assignedForm.body, /<select id="hw-status" name="status" disabled/, 'an assigned status is not edited here')

  const fields = { serial: 'SN-TP-1', name: 'ThinkPad X1 Carbon', asset_tag: 'A-002', category: 'laptop', manufacturer: 'Lenovo', model: '21HM', status: 'available', condition: 'good' }

  t.test('saved at the version it was opened with', async t => {
    const res = await asAdmin.post(`/hardware/${thinkpad.id}/edit`, { ...fields, version: String(current.version) })
    t.equal(res.statusCode, 303)
    t.equal(res.headers.location, `/hardware/${thinkpad.id}`)
    const saved = await r.get(acme.id, thinkpad.id)
    t.equal(saved.name, 'ThinkPad X1 Carbon')
    t.equal(saved.version, current.version + 1)
    const again = await asAdmin.post(`/hardware/${thinkpad.id}/edit`, { ...fields, version: String(saved.version) })
    t.equal(again.statusCode, 303)
    t.match((await asAdmin.get(`/hardware/${thinkpad.id}`)).body, 'Nothing to save: A-002 is unchanged.')
  })

  t.test('a stale version is refused with a message, the input kept and the saved values shown', async t => {
    const saved = await r.get(acme.id, thinkpad.id)
    await r.update(acme.id, systemActor, thinkpad.id, { model: '21HN' }) // someone else saves
    const res = await asAdmin.post(`/hardware/${thinkpad.id}/edit`, { ...fields, name: 'My new name', version: String(saved.version) })
    t.equal(res.statusCode, 409)
    t.match(res.body, 'Not saved: someone else changed this hardware while you were editing it.')
    t.match(res.body, 'value="My new name"', 'the input is kept')
    t.match(res.body, /id="hw-model-saved">Saved now: <strong>21HN<\/strong>/, 'what the other person saved')
    t.match(res.body, `<input type="hidden" name="version" value="${saved.version + 1}">`, 'saving again is a deliberate overwrite')
    const after = await r.get(acme.id, thinkpad.id)
    t.equal(after.name, 'ThinkPad X1 Carbon', 'nothing of the stale edit was written')
    t.equal(after.model, '21HN')
  })

  t.test('invalid input is refused inline with the input kept', async t => {
    const saved = await r.get(acme.id, thinkpad.id)
    const res = await asAdmin.post(`/hardware/${thinkpad.id}/edit`, { ...fields, asset_tag: '', warranty_end: '2024-02-30', version: String(saved.version) })
    t.equal(res.statusCode, 422)
    t.match(res.body, /id="hw-asset-tag-error">Asset tag must not be empty\./)
    t.match(res.body, /id="hw-warranty-end-error">Warranty ends must be a date/)
    t.match(res.body, 'value="2024-02-30"')
    t.equal((await r.get(acme.id, thinkpad.id)).version, saved.version)
  })
})

t.test('assign and recover', async t => {
  const page = await asAdmin.get(`/hardware/${thinkpad.id}`)
  t.match(page.body, `action="/hardware/${thinkpad.id}/assign"`)
  t.match(page.body, /<datalist id="assign-people">[\s\S]*<option value="quinn@acme.test">Quinn Jones<\/option>/)
  t.notMatch(page.body, 'olly@acme.test', 'offboarded people are not offered')
  const options = await asAdmin.get('/hardware/assignees?person=quin', { 'hx-request': 'true' })
  t.equal(options.body.trim(), '<option value="quinn@acme.test">Quinn Jones</option>')

  let version = (await r.get(acme.id, thinkpad.id)).version
  const offboarded = await asAdmin.post(`/hardware/${thinkpad.id}/assign`, { person: 'olly@acme.test', version: String(version) })
  t.equal(offboarded.statusCode, 422)
  t.match(offboarded.body, /id="assign-person-error">Olly Gone is offboarded: only active people can be given hardware\./)
  t.match(offboarded.body, 'value="olly@acme.test"', 'the input is kept')
  const nobody = await asAdmin.post(`/hardware/${thinkpad.id}/assign`, { person: 'nobody@acme.test', version: String(version) })
  t.match(nobody.body, 'No one in this workspace has the name or email')
  const stale = await asAdmin.post(`/hardware/${thinkpad.id}/assign`, { person: 'quinn@acme.test', version: String(version - 1) })
  t.equal(stale.statusCode, 409)
  t.match(stale.body, 'Someone else changed this hardware since you opened the page')

  const res = await asAdmin.post(`/hardware/${thinkpad.id}/assign`, { person: 'Quinn Jones', note: 'Desk 4', version: String(version) })
  t.equal(res.statusCode, 303)
  let hw = await r.get(acme.id, thinkpad.id)
  t.match(hw, { status: 'assigned', assigned_user_id: quinn.id })
  const assigned = await asAdmin.get(`/hardware/${thinkpad.id}`)
  t.match(assigned.body, 'A-002 is now assigned to Quinn Jones.')
  t.match(assigned.body, /Quinn Jones<span class="cell-note">quinn@acme.test<\/span>[\s\S]*Desk 4/)

  const twice = await asAdmin.post(`/hardware/${thinkpad.id}/assign`, { person: 'pat@acme.test', version: String(hw.version) })
  t.equal(twice.statusCode, 422)
  t.match(twice.body, 'A-002 is already assigned; recover it before assigning it again.')

  version = hw.version
  const recovered = await asAdmin.post(`/hardware/${thinkpad.id}/recover`, { condition: 'fair', note: 'Scratched lid', version: String(version) })
  t.equal(recovered.statusCode, 303)
  hw = await r.get(acme.id, thinkpad.id)
  t.match(hw, { status: 'available', assigned_user_id: null, condition: 'fair' })
  const history = await asAdmin.get(`/hardware/${thinkpad.id}`)
  t.match(history.body, 'A-002 is recovered and available again.')
  t.match(history.body, /<code>hardware.recovered<\/code>/)
  const again = await asAdmin.post(`/hardware/${thinkpad.id}/recover`, { version: String(hw.version) })
  t.equal(again.statusCode, 422)
  t.match(again.body, 'is not assigned (it is available), so there is nothing to recover')
})

t.test('employees: only their own hardware, and no admin actions', async t => {
  const list = await asEli.get('/hardware')
  t.equal(list.statusCode, 200)
  t.same(tagsIn(list.body), ['A-004'])
  t.notMatch(list.body, 'href="/hardware/new"')
  t.notMatch(list.body, 'id="hw-f-manufacturer"', 'only search and status to filter by')
  t.same(tagsIn((await asEli.get('/hardware?q=macbook')).body), [])
  const csv = await asEli.get('/hardware.csv')
  t.equal(csv.body.trim().split('\r\n').length, 2, 'their export holds their own hardware')

  const own = await asEli.get(`/hardware/${phone.id}`)
  t.equal(own.statusCode, 200)
  t.notMatch(own.body, '/edit"')
  t.notMatch(own.body, 'Audit trail')
  t.notMatch(own.body, '/assign"')
  t.equal((await asEli.get(`/hardware/${mbp.id}`)).statusCode, 404, 'someone else\'s hardware is not found')

  t.equal((await asEli.get('/hardware/new')).statusCode, 403)
  t.equal((await asEli.get(`/hardware/${phone.id}/edit`)).statusCode, 403)
  for (const url of ['/hardware/new', '/hardware/lookup', `/hardware/${phone.id}/edit`, `/hardware/${phone.id}/assign`, `/hardware/${phone.id}/recover`]) {
    const res = await asEli.post(url, { serial: 'SN-X', name: 'Mine now', person: 'eli@acme.test' })
    t.equal(res.statusCode, 403, `POST ${url}`)
  }
  t.equal((await r.get(acme.id, phone.id)).name, 'iPhone 15', 'nothing changed')
})

t.test('forms need the CSRF token', async t => {
  const res = await asAdmin.post('/hardware/new', { serial: 'SN-CSRF', name: 'No token' }, { csrf: false })
  t.equal(res.statusCode, 403)
  t.notOk(await app.db('hardware').where({ serial: 'SN-CSRF' }).first())
})

t.test('look up by serial, when a device-management integration is connected', async t => {
  const plugin = app.integrations.plugin('fixture-mdm')!
  await app.integrations.settings.save(acme.id, systemActor, plugin, {}, { enabled: true })
  const form = await asAdmin.get('/hardware/new')
  t.match(form.body, />Look up by serial<\/button>/)
  t.match(form.body, 'Fills in the device details from Fixture MDM.')
  t.match(form.body, 'aria-describedby="hw-serial-lookup"')
  const edit = await asAdmin.get(`/hardware/${evil.id}/edit`)
  t.match(edit.body, 'Look up by serial', 'on the edit form too')

  const htmx = { 'hx-request': 'true', 'hx-target': 'hardware-fields' }
  const found = await asAdmin.post('/hardware/lookup', { serial: 'c02lookup1', name: '', cpu: '', ram: '16 GB' }, { headers: htmx })
  t.equal(found.statusCode, 200)
  t.match(found.body, /^<div id="hardware-fields">/, 'a form fragment')
  t.match(found.body, 'Found in Fixture MDM. Filled in: manufacturer, model, operating system, OS version, MAC address, warranty end, name.')
  for (const [id, value] of [['hw-manufacturer', 'Apple'], ['hw-model', 'MacBook Pro 14 (M3 Pro)'], ['hw-os', 'macOS'], ['hw-os-version', '14.5'], ['hw-mac-address', '3c:22:fb:0a:1b:2c'], ['hw-warranty-end', '2027-03-31'], ['hw-name', 'Design MacBook']]) {
    t.match(found.body, new RegExp(`<input id="${id}" name="[a-z_]+" value="${value.replace(/[()]/g, '\\$&')}"`), `${id} filled`)
  }
  t.match(found.body, /id="hw-cpu-suggestion">Suggested: <strong>Apple M3 Pro<\/strong>/, 'CPU suggested')
  t.match(found.body, /id="hw-ram-suggestion">Suggested: <strong>18 GB<\/strong>/, 'RAM suggested beside what was typed')
  t.match(found.body, 'value="16 GB"', 'a typed value is not overwritten by a suggestion')
  t.match(found.body, /id="hw-storage-suggestion">Suggested: <strong>512 GB SSD<\/strong>/)
  t.match(found.body, /<dt>colour<\/dt><dd>Space Black<\/dd>/, 'the reported specifications')

  const unknown = await asAdmin.post('/hardware/lookup', { serial: 'NOPE', name: 'Typed' }, { headers: htmx })
  t.match(unknown.body, 'No connected integration knows the serial number NOPE.')
  t.match(unknown.body, 'value="Typed"')
  const blank = await asAdmin.post('/hardware/lookup', { serial: '' }, { headers: htmx })
  t.equal(blank.statusCode, 422)
  t.match(blank.body, /id="hw-serial-error">Enter a serial number to look it up\./)
  const page = await asAdmin.post('/hardware/lookup', { serial: 'C02LOOKUP1', hardware_id: evil.id, version: '1' })
  t.match(page.body, '<h1>Edit A-005</h1>', 'without htmx: the whole form page')
  t.match(page.body, `action="/hardware/${evil.id}/edit"`)

  await app.integrations.settings.save(acme.id, systemActor, plugin, {}, { enabled: false })
  t.notMatch((await asAdmin.get('/hardware/new')).body, 'Look up by serial', 'hidden again once disabled')
})
