// Admin → Bulk import → Import from your MDM: sources and their badges, Preview (writes nothing),
// Import (live progress, the result banner, the rows that failed), re-runs, rate-limit waits, roles.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'
import { signIn, type TestSession } from './helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'
import { discoverPlugins, type DiscoveredPlugin } from '../core/integrations/index.ts'
import { RetryLaterError, routeToFake } from '../core/sdk.ts'
import { startFake } from './fixtures/external-plugin/fake.ts'

const HX = { 'hx-request': 'true' }
const EXTERNAL = fileURLToPath(new URL('./fixtures/external-plugin/', import.meta.url))
const [example] = await discoverPlugins({ builtinDir: null, pluginDirs: [EXTERNAL] })
const variant = (id: string, name: string, manifest: Partial<DiscoveredPlugin['manifest']> = {}): DiscoveredPlugin =>
  ({ ...example, id, manifest: { ...example.manifest, id, name, ...manifest } })
// The example inventory as a full sync (every run reads every device, as an MDM import does), a
// second MDM that nobody has set up, and a directory sync that is no MDM at all.
const mdm = variant('acme-inventory', example.manifest.name, { syncs: [{ id: 'devices', model: 'device', mode: 'full' }] })
const otherMdm = variant('other-mdm', 'Other MDM')
// An MDM whose vendor asks to come back later than a worker may wait (a long Retry-After).
const limited: DiscoveredPlugin = {
  ...variant('limited', 'Limited MDM'),
  connector: { async * sync () { yield * []; throw new RetryLaterError(new Date('2030-05-01T14:05:00Z'), 'Graph answered 429 Too Many Requests') } }
}
const directory = variant('directory', 'Directory', { categories: ['hris'], syncs: [{ id: 'people', model: 'person', mode: 'full' }], permissions: ['person:write'] })

const fake = await startFake()
const dispatcher = routeToFake(fake.url)
t.teardown(async () => { await dispatcher.close(); await fake.close() })
fake.devices.push(
  { id: 'd1', serial: 'C02AAA', model: 'MacBook Pro', owner: 'pat@ACME.test', updatedAt: '2026-01-01T00:00:00Z' },
  { id: 'd2', serial: 'PF-XYZ', model: 'ThinkCentre M70', owner: null, updatedAt: '2026-01-01T00:00:00Z' },
  { id: 'd3', serial: null, model: 'Virtual machine', owner: null, updatedAt: '2026-01-01T00:00:00Z' },
  { id: 'd4', serial: 'BAD-1', model: 'Pixel 8', owner: 'not an email', updatedAt: '2026-01-01T00:00:00Z' }
)
const { app, workspace } = await buildTestApp(t, {}, { plugins: [mdm, otherMdm, limited, directory], httpDispatcher: dispatcher })
const acme = await workspace('acme')
const other = await workspace('other')
// The example plugin's fake listens on 127.0.0.1: the operator allows it, as for an on-premises server.
for (const { id } of [acme, other]) await allowPrivateHosts(app.db, id, systemActor, [new URL(fake.url).hostname])
const member = async (email: string, role: string) => (await app.db('users').insert({ workspace_id: acme.id, email, role }).returning('*'))[0]
const admin = await member('adam@acme.test', 'admin')
const pat = await app.registry.people.create(acme.id, systemActor, { email: 'Pat@acme.test', first_name: 'Pat' })
const session = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: admin.id })
const BASE = '/bulk-import/acme-inventory'

/** Follows the run area's htmx polling until it stops; returns the last fragment. */
async function pollImport (session: TestSession, html: string): Promise<string> {
  const started = Date.now()
  for (;;) {
    const url = /hx-get="(\/bulk-import\/[^"]+\/runs\/[^"]+)"/.exec(html)?.[1]
    if (url === undefined) return html
    if (Date.now() - started > 45_000) throw new Error('the import did not finish')
    await new Promise(resolve => setTimeout(resolve, 150))
    const res = await session.get(url, HX)
    if (res.statusCode !== 200) throw new Error(`poll failed: ${res.statusCode}`)
    html = res.body
  }
}

const sectionOf = (html: string, id: string) => {
  const start = html.indexOf(`id="bulk-import-${id}"`)
  return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start))
}
const hardware = async () => await app.db('hardware').where({ workspace_id: acme.id }).orderBy('serial')

t.test('admins find Bulk import in the menu; each MDM source shows whether it is configured', async t => {
  const home = await session.get('/')
  t.match(home.body, '<a href="/bulk-import">Bulk import</a>')
  const res = await session.get('/bulk-import')
  t.equal(res.statusCode, 200)
  t.match(res.body, '<h2 id="mdm-heading">Import from your MDM</h2>')
  const source = sectionOf(res.body, 'acme-inventory')
  t.match(source, '<span class="badge">Not configured</span>')
  t.match(source, '<a href="/settings/integrations/acme-inventory">finish its setup in Settings → Integrations</a>')
  t.notMatch(source, 'Import devices from', 'no import before it is configured')
  t.match(sectionOf(res.body, 'other-mdm'), 'Not configured')
  t.notMatch(res.body, 'bulk-import-directory', 'a directory sync is no MDM source')
})

t.test('a source is configured only when enabled with valid settings', async t => {
  await app.integrations.settings.save(acme.id, systemActor, mdm, fake.settings, { enabled: false })
  t.match(sectionOf((await session.get('/bulk-import')).body, 'acme-inventory'), 'Not configured', 'saved but not enabled')
  await app.db('integrations').insert({ workspace_id: acme.id, plugin_id: 'other-mdm', enabled: true, settings: JSON.stringify({ baseUrl: fake.url }) })
  t.match(sectionOf((await session.get('/bulk-import')).body, 'other-mdm'), 'Not configured', 'enabled without its API key')

  await app.integrations.settings.save(acme.id, systemActor, mdm, fake.settings, { enabled: true })
  const source = sectionOf((await session.get('/bulk-import')).body, 'acme-inventory')
  t.match(source, '<span class="badge badge-success">Configured</span>')
  t.match(source, /<button type="submit" class="button" id="bulk-import-preview-acme-inventory">Preview changes<span class="visually-hidden"> from Acme Inventory \(example\)<\/span><\/button>/)
  t.match(source, 'hx-confirm="Import every device from Acme Inventory (example) into Hardware?')
  t.match(source, '>Import devices from Acme Inventory (example)</button>')
  t.match(source, 'aria-live="polite"')
})

t.test('importing from a source that is not configured is refused with the way out', async t => {
  const res = await session.post('/bulk-import/other-mdm/import', {}, { headers: HX })
  t.equal(res.statusCode, 422)
  t.match(res.body, 'Other MDM is not configured. Finish its setup in Settings → Integrations, then import.')
  t.equal((await hardware()).length, 0)
})

t.test('Preview shows the planned changes field by field and writes nothing', async t => {
  const res = await session.post(`${BASE}/preview`, {}, { headers: HX })
  t.equal(res.statusCode, 200)
  const done = await pollImport(session, res.body)
  t.match(done, 'Preview completed — nothing was written. An import would make 2 created, 0 updated, 0 unchanged, 1 skipped, 1 errors.')
  t.match(done, /<strong>Create<\/strong> ACME-000001 Pat&#x27;s MacBook Pro/)
  t.match(done, /<li>model: <span class="new">MacBook Pro<\/span><\/li>/)
  t.equal((await hardware()).length, 0, 'no hardware')
  t.equal(Number((await app.db('events').where({ workspace_id: acme.id }).count({ n: '*' }))[0].n), 0, 'no events')
  t.equal((await app.db('workspaces').where({ id: acme.id }).first()).asset_tag_next, 1, 'no asset tag used')
})

let firstRunErrorsUrl = ''

t.test('Import shows live progress, then the banner; the devices are in the register', async t => {
  const res = await session.post(`${BASE}/import`, {}, { headers: HX })
  t.equal(res.statusCode, 200)
  t.match(res.body, /Importing… \d+ devices read, \d+ written\./)
  const done = await pollImport(session, res.body)
  t.match(done, 'Import completed: 2 created, 0 updated, 0 unchanged, 1 skipped, 1 errors.')
  t.match(done, /<dt>Created<\/dt><dd>2<\/dd>/)
  t.match(done, /<dt>Skipped<\/dt><dd>1<\/dd>/)
  firstRunErrorsUrl = /<a href="(\/bulk-import\/acme-inventory\/runs\/[^"]+\/errors)">See the rows that failed/.exec(done)?.[1] ?? ''
  t.ok(firstRunErrorsUrl, 'the banner links to the rows that failed')

  const rows = await hardware()
  t.same(rows.map(r => r.serial), ['C02AAA', 'PF-XYZ'])
  t.match(rows[0], { name: "Pat's MacBook Pro", status: 'assigned', assigned_user_id: pat.id, acknowledgement_note: 'Imported from MDM (Acme Inventory (example))' })
  t.ok(rows[0].acknowledged_at, 'pre-acknowledged')
  const audit = await app.db('audit_log').where({ workspace_id: acme.id, action: 'integration.synced' })
  t.equal(audit.length, 1, 'one audit entry for the run')
  t.match(audit[0], { actor_type: 'plugin', details: { source: 'Acme Inventory (example)', created: 2, updated: 0, unchanged: 0, skipped: 1, errors: 1 } })
  const events = await app.db('events').where({ workspace_id: acme.id }).orderBy('sequence')
  t.same(events.map(e => e.type), ['hardware.created', 'hardware.created', 'hardware.assigned'], 'events reach the outbox, a device\'s created before its assigned')
  t.match(events[2].payload, { serial: 'C02AAA', user: { id: pat.id, email: 'Pat@acme.test', first_name: 'Pat' }, import: { plugin: 'acme-inventory' } })
})

t.test('the rows that failed, with the reason, on their own page', async t => {
  const res = await session.get(firstRunErrorsUrl)
  t.equal(res.statusCode, 200)
  t.match(res.body, '<h1>Rows that failed</h1>')
  t.match(res.body, /<tr><td><code>d4<\/code><\/td><td>assignedUserEmail must match format &quot;email&quot;<\/td><\/tr>/)
  t.match(res.body, '1 of 4 devices failed')
})

t.test('a second import with nothing changed reports everything unchanged and writes nothing', async t => {
  const before = {
    hardware: await app.db('hardware').where({ workspace_id: acme.id }).max('updated_at'),
    events: await app.db('events').where({ workspace_id: acme.id }).count({ n: '*' })
  }
  const res = await session.post(`${BASE}/import`, {}, { headers: HX })
  const done = await pollImport(session, res.body)
  t.match(done, 'Import completed: 0 created, 0 updated, 2 unchanged, 1 skipped, 1 errors.')
  t.same(await app.db('hardware').where({ workspace_id: acme.id }).max('updated_at'), before.hardware, 'no hardware row written')
  t.same(await app.db('events').where({ workspace_id: acme.id }).count({ n: '*' }), before.events, 'no event')
})

t.test('without JavaScript, Import redirects to the run, shown on the page', async t => {
  const res = await session.post(`${BASE}/import`, {})
  t.equal(res.statusCode, 303)
  const location = String(res.headers.location)
  t.match(location, /^\/bulk-import\/acme-inventory\/runs\/[0-9a-f-]{36}$/)
  const page = await session.get(location)
  t.equal(page.statusCode, 200)
  t.match(page.body, '<h1>Bulk import</h1>')
  t.match(page.body, /Importing…|Import completed/)
  await pollImport(session, page.body)
})

t.test('a second run while one is active is refused, showing the active one', async t => {
  const [active] = await app.db('integration_runs').insert({ workspace_id: acme.id, plugin_id: 'acme-inventory', kind: 'sync', status: 'running', read: 40, created: 30 }).returning('*')
  t.teardown(() => app.db('integration_runs').where({ id: active.id }).update({ status: 'failed' }))
  const res = await session.post(`${BASE}/preview`, {}, { headers: HX })
  t.equal(res.statusCode, 409)
  t.match(res.body, 'An import of Acme Inventory (example) is already running.')
  t.match(res.body, `hx-get="/bulk-import/acme-inventory/runs/${active.id}"`)
  t.match(res.body, 'Importing… 40 devices read, 30 written.')
})

t.test('a run the vendor rate-limits for long is rescheduled, and says when it retries', async t => {
  await app.integrations.settings.save(acme.id, systemActor, limited, fake.settings, { enabled: true })
  const res = await session.post('/bulk-import/limited/import', {}, { headers: HX })
  t.equal(res.statusCode, 200)
  const url = /hx-get="([^"]+)"/.exec(res.body)![1]
  let fragment = ''
  for (let i = 0; i < 300 && !fragment.includes('waiting'); i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
    fragment = (await session.get(url, HX)).body
  }
  t.match(fragment, 'Import waiting: Graph answered 429 Too Many Requests; trying again at <time datetime="2030-05-01T14:05:00.000Z" data-local-time>14:05 UTC</time>.')
  t.match(fragment, `hx-get="${url}"`, 'still polling')
  const run = await app.db('integration_runs').where({ workspace_id: acme.id, plugin_id: 'limited' }).first()
  t.match(run, { status: 'retry_scheduled', attempt: 2 }, 'rescheduled, not lost')
})

t.test('only admins, IT admins and super admins reach Bulk import', async t => {
  for (const role of ['it-admin', 'super-admin']) {
    const user = await member(`${role}@acme.test`, role)
    const s = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: user.id })
    t.equal((await s.get('/bulk-import')).statusCode, 200, role)
  }
  const eve = await member('eve@acme.test', 'employee')
  const employee = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: eve.id })
  t.notMatch((await employee.get('/')).body, 'href="/bulk-import"', 'not in an employee\'s menu')
  const page = await employee.get('/bulk-import')
  t.equal(page.statusCode, 403)
  t.match(page.body, 'This page needs one of these roles')
  t.equal((await employee.post(`${BASE}/import`, {}, { headers: HX })).statusCode, 403)
  t.equal((await employee.get(firstRunErrorsUrl)).statusCode, 403)
  const anonymous = await app.inject({ method: 'GET', url: '/bulk-import', headers: { host: 'acme.localhost' } })
  t.equal(anonymous.statusCode, 303, 'signed out: to the sign-in page')
})

t.test('unknown sources, other plugins and other workspaces\' runs are not found', async t => {
  t.equal((await session.post('/bulk-import/nope/import', {}, { headers: HX })).statusCode, 404)
  t.equal((await session.post('/bulk-import/directory/preview', {}, { headers: HX })).statusCode, 404, 'not an MDM')
  const run = await app.db('integration_runs').where({ workspace_id: acme.id, plugin_id: 'acme-inventory' }).first()
  t.equal((await session.get(`/bulk-import/other-mdm/runs/${run.id}`, HX)).statusCode, 404, 'the run of another source')
  const [elsewhere] = await app.db('integration_runs').insert({ workspace_id: other.id, plugin_id: 'acme-inventory', kind: 'sync', status: 'succeeded' }).returning('*')
  t.equal((await session.get(`${BASE}/runs/${elsewhere.id}`, HX)).statusCode, 404, 'another workspace\'s run')
  t.equal((await session.get(`${BASE}/runs/${elsewhere.id}/errors`)).statusCode, 404)
})
