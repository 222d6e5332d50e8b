// Sync now, Preview, the result banner, the schedule form and the count badge on the hub page.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'
import { startFake } from './fixtures/external-plugin/fake.ts'
import { pollRun } from './helpers/wait.ts'

const HX = { 'hx-request': 'true' }
const EXTERNAL = fileURLToPath(new URL('./fixtures/external-plugin/', import.meta.url))
const [example] = await discoverPlugins({ builtinDir: null, pluginDirs: [EXTERNAL] })
const counted = { ...example, id: 'counted', manifest: { ...example.manifest, id: 'counted', name: 'Counted', countBadge: { one: 'mapping', other: 'mappings' } } }

const fake = await startFake()
t.teardown(() => fake.close())
fake.devices.push(
  { id: 'd1', serial: 'SN-1', model: 'MacBook Air', owner: null, updatedAt: '2026-01-01T00:00:00Z' },
  { id: 'd2', serial: null, model: 'Virtual', owner: null, updatedAt: '2026-01-01T00:00:00Z' }
)
const { app, workspace } = await buildTestApp(t, {}, { plugins: [example, counted] })
const acme = await workspace('acme')
await allowPrivateHosts(app.db, acme.id, systemActor, [new URL(fake.url).hostname]) // the fake is on loopback, as an on-premises server
const [admin] = await app.db('users').insert({ workspace_id: acme.id, email: 'adam@acme.test', role: 'admin' }).returning('*')
const [employee] = await app.db('users').insert({ workspace_id: acme.id, email: 'eve@acme.test', role: 'employee' }).returning('*')
const session = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: admin.id })
const BASE = '/settings/integrations/acme-inventory'

t.test('Sync now before settings are saved asks for them', async t => {
  const res = await session.post(`${BASE}/sync`, {}, { headers: HX })
  t.equal(res.statusCode, 422)
  t.match(res.body, 'Save the settings first, then sync.')
})

t.test('the modal offers Sync now, Preview and a schedule', async t => {
  t.equal((await session.post(BASE, { ...fake.settings, enabled: 'true' }, { headers: HX })).statusCode, 200)
  const res = await session.get(BASE, HX)
  t.match(res.body, 'id="integration-sync-button-acme-inventory"')
  t.match(res.body, 'id="integration-preview-button-acme-inventory"')
  t.match(res.body, /<select id="integration-schedule-acme-inventory" name="schedule_minutes">\s*<option value="" selected>Off<\/option>/)
})

t.test('Preview shows what would be written and writes nothing', async t => {
  const res = await session.post(`${BASE}/sync`, { dry_run: 'true' }, { headers: HX })
  t.equal(res.statusCode, 200)
  const done = await pollRun(session, res.body, 'acme-inventory')
  t.match(done, 'Preview completed. Preview: would write 1 created, 0 updated, 0 unchanged, 1 skipped, 0 errors.')
  t.match(done, /<strong>Create<\/strong> ACME-000001 MacBook Air/)
  t.equal((await app.db('hardware').where({ workspace_id: acme.id })).length, 0)
})

t.test('Sync now shows progress, then the result banner with the counts', async t => {
  const res = await session.post(`${BASE}/sync`, {}, { headers: HX })
  t.match(res.body, /Syncing… \d+ read, \d+ written/)
  const done = await pollRun(session, res.body, 'acme-inventory')
  t.match(done, 'Sync completed. 1 created, 0 updated, 0 unchanged, 1 skipped, 0 errors.')
  t.match(done, /<dt>Created<\/dt><dd>1<\/dd>/)
  t.match(done, /<dt>Skipped<\/dt><dd>1<\/dd>/)
  t.equal((await app.db('hardware').where({ workspace_id: acme.id })).length, 1)
})

t.test('without JavaScript, Sync now redirects to the run page', async t => {
  const res = await session.post(`${BASE}/sync`, {})
  t.equal(res.statusCode, 303)
  t.match(res.headers.location, /\/settings\/integrations\/acme-inventory\/runs\//)
})

t.test('the schedule: an interval from the list is saved; anything else is refused inline', async t => {
  const bad = await session.post(`${BASE}/schedule`, { schedule_minutes: '5' }, { headers: HX })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /aria-invalid="true"/)
  t.match(bad.body, /Scheduled sync must be one of 15, 30, 60, 240, 720, 1440 minutes \(at least 15/)
  const ok = await session.post(`${BASE}/schedule`, { schedule_minutes: '60' }, { headers: HX })
  t.equal(ok.statusCode, 200)
  t.match(ok.body, 'Scheduled sync: every hour.')
  t.match(ok.body, '<option value="60" selected>Every hour</option>')
  t.equal((await app.integrations.settings.get(acme.id, 'acme-inventory'))?.schedule_minutes, 60)
  const off = await session.post(`${BASE}/schedule`, { schedule_minutes: '' }, { headers: HX })
  t.match(off.body, 'Scheduled sync is off.')
})

t.test('employees cannot sync or schedule', async t => {
  const eve = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: employee.id })
  t.equal((await eve.post(`${BASE}/sync`, {}, { headers: HX })).statusCode, 403)
  t.equal((await eve.post(`${BASE}/schedule`, { schedule_minutes: '60' }, { headers: HX })).statusCode, 403)
})

t.test('a plugin with a count badge shows the count it reported', async t => {
  let grid = (await session.get('/settings/integrations')).body
  t.notMatch(grid, 'badge-count', 'no count reported yet')
  await app.db('integrations').insert({ workspace_id: acme.id, plugin_id: 'counted', badge_count: 1 })
  grid = (await session.get('/settings/integrations')).body
  t.match(grid, '<span class="badge badge-count">1 mapping</span>')
  await app.db('integrations').where({ workspace_id: acme.id, plugin_id: 'counted' }).update({ badge_count: 3 })
  grid = (await session.get('/settings/integrations')).body
  t.match(grid, '<span class="badge badge-count">3 mappings</span>')
})
