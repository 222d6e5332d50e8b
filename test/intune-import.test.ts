// The Microsoft Intune plugin end to end: the real connector against its fake over HTTP, drained
// through the device importer into the real database (embedded, or DATABASE_URL's server).
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { systemActor, type Actor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { ACTIVE, type RunRow } from '../core/integrations/runs.ts'
import { routeToFake } from '../core/sdk.ts'
import { startFake } from '../plugins/intune/fake.ts'
import { retryDueNow, until } from './helpers/wait.ts'

const admin: Actor = { type: 'user', id: null, label: 'admin@acme.test' }
const [intune] = await discoverPlugins({ builtinDir: null, pluginDirs: [fileURLToPath(new URL('../plugins/intune/', import.meta.url))] })

// Ten generated devices (Windows laptops and desktops, a Mac, an iPhone, an iPad, an Android
// phone) on three Graph pages, then a device without a serial and a malformed record.
const fake = await startFake({ fleet: { size: 10 }, maxPageSize: 4 })
const fakeThatRejects = await startFake({ rejectCredentials: true })
t.teardown(async () => { await fake.close(); await fakeThatRejects.close() })
fake.devices.push(
  { id: 'autopilot-only', serialNumber: '', deviceName: 'Autopilot registration', operatingSystem: 'Windows' },
  { id: 'broken', serialNumber: 42, model: 'Latitude 5540' }
)
const dispatcher = routeToFake(fake.url)
// No worker: runs execute here only (executeNow), so a retry_scheduled run is seen before anything retries it.
const { app, workspace } = await buildTestApp(t, { STOCKTAKE_WORKER: '0' }, { plugins: [intune], httpDispatcher: dispatcher })
const ws = await workspace('acme')

async function runToEnd (id: string): Promise<RunRow> {
  await app.integrations.executeNow(ws.id, id)
  return await until(async () => {
    const r = await app.integrations.run(ws.id, id)
    return r && !ACTIVE.includes(r.status) && r
  })
}
const syncToEnd = async (runId?: string) => await runToEnd(runId ?? (await app.integrations.sync(ws.id, 'intune')).id)
const testToEnd = async () => await runToEnd((await app.integrations.test(ws.id, 'intune')).id)

const hardware = async (serial: string) => await app.db('hardware').where({ workspace_id: ws.id, serial }).first()

const saved = await app.integrations.settings.save(ws.id, admin, intune, fake.settings, { enabled: true })
if (!saved.ok) throw new Error(`the fake's settings were refused: ${JSON.stringify(saved.errors)}`)
const ada = await app.registry.people.create(ws.id, systemActor, { email: 'Person0@fleet.test', first_name: 'Ada' })
await app.registry.people.create(ws.id, systemActor, { email: 'person2@fleet.test', first_name: 'Gone', status: 'offboarded' })

t.test('a first import creates hardware by the MDM rules', async t => {
  const run = await syncToEnd()
  t.equal(run.status, 'succeeded', String(run.message))
  t.match(run, { read: 12, created: 10, updated: 0, unchanged: 0, skipped: 1, errors: 1 })
  t.match(run.error_details, [{ externalId: 'broken', reason: 'serialNumber must be a string, not the number 42' }])

  t.match(await hardware('INT0000000'), {
    name: 'Ada\'s Latitude 7440',
    category: 'laptop',
    manufacturer: 'Dell Inc.',
    model: 'Latitude 7440',
    os: 'Windows',
    os_version: '10.0.22631.3593',
    mac_address: '02:00:00:00:00:00',
    status: 'assigned',
    assigned_user_id: ada.id,
    condition: 'good',
    acknowledgement_note: 'Imported from MDM (Microsoft Intune)',
    source: 'intune',
    source_ids: { intune: '3f1c0a4e-0000-4000-8000-000000000000' },
    specifications: { storageGb: 511, managedDeviceOwnerType: 'company' }
  })
  t.ok((await hardware('INT0000000')).acknowledged_at, 'pre-acknowledged')
  t.match(await hardware('INT0000002'), { status: 'available', assigned_user_id: null }, 'an offboarded person is no match')
  t.match(await hardware('INT0000004'), { category: 'desktop', status: 'available', name: 'DESKTOP-00004' }, 'no person for the email: unassigned, the MDM\'s name')
  t.match(await hardware('INT0000006'), { category: 'laptop', manufacturer: 'Apple', os: 'macOS' })
  t.match(await hardware('INT0000007'), { category: 'phone', model: 'iPhone 15' })
  t.match(await hardware('INT0000008'), { category: 'tablet', os: 'iPadOS' })
  t.match(await hardware('INT0000009'), { category: 'phone', os: 'Android' })
  t.equal((await app.db('hardware_assignments').where({ workspace_id: ws.id })).length, 1, 'one assignment')

  const audit = await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.synced' })
  t.match(audit, [{ actor_type: 'plugin', outcome: 'success', details: { source: 'Microsoft Intune', created: 10, skipped: 1, errors: 1 } }])
  t.notOk(await app.db('integration_state').where({ workspace_id: ws.id, plugin_id: 'intune' }).first(), 'a full sync that completed keeps no checkpoint')
})

t.test('a second import with no change in Intune writes nothing', async t => {
  const before = await app.db('hardware').where({ workspace_id: ws.id }).max('updated_at')
  const run = await syncToEnd()
  t.match(run, { status: 'succeeded', created: 0, updated: 0, unchanged: 10, skipped: 1, errors: 1 })
  t.same(await app.db('hardware').where({ workspace_id: ws.id }).max('updated_at'), before, 'no hardware row touched')
})

t.test('a re-import updates what Intune changed and keeps what the admin edited', async t => {
  const laptop = await hardware('INT0000000')
  await app.registry.hardware.update(ws.id, admin, laptop.id, { name: 'Design laptop', cpu: 'Core i7-1365U' })
  fake.fleet.changedEvery = 5
  fake.fleet.revision = 1
  const run = await syncToEnd()
  t.match(run, { status: 'succeeded', created: 0, updated: 2, unchanged: 8 })
  t.match(await hardware('INT0000000'), { os_version: '10.0.22631.3594', name: 'Design laptop', cpu: 'Core i7-1365U', status: 'assigned', assigned_user_id: ada.id })
  t.match(await hardware('INT0000005'), { os_version: '10.0.22631.3881' })
})

const httpCalls = async () => await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.http_call' }).orderBy('id')

t.test('the token request of the manifest\'s oauth2 block is audited like any call, never with the secret', async t => {
  const before = (await httpCalls()).length
  t.match(await testToEnd(), { status: 'succeeded' })
  const calls = (await httpCalls()).slice(before)
  t.match(calls.map(c => c.details), [
    { method: 'POST', host: 'login.microsoftonline.com', path: `/${fake.settings.tenantId}/oauth2/v2.0/token`, status: 200, attempts: 1 },
    { method: 'GET', host: 'graph.microsoft.com', path: '/v1.0/deviceManagement/managedDevices', status: 200 }
  ])
  t.notOk(JSON.stringify(await app.db('audit_log').where({ workspace_id: ws.id })).includes(fake.settings.clientSecret), 'the secret is in no audit entry')

  await app.integrations.settings.save(ws.id, admin, intune, fakeThatRejects.settings, { enabled: true })
  t.teardown(() => app.integrations.settings.save(ws.id, admin, intune, fake.settings, { enabled: true }))
  const refused = await testToEnd()
  t.match(refused, { status: 'failed', message: /AADSTS7000215.*not its Secret ID/ })
  t.match((await httpCalls()).at(-1), { outcome: 'failure', details: { host: 'login.microsoftonline.com', status: 401 } })
  const stored = JSON.stringify([await app.db('audit_log').where({ workspace_id: ws.id }), refused, await app.db('integrations').where({ workspace_id: ws.id })])
  t.notOk(stored.includes(fakeThatRejects.settings.clientSecret), 'the refused secret is in no audit entry, run or message')
})

t.test('Test connection names a sign-in setting that is not set, as config, before calling Microsoft', async t => {
  const row = await app.db('integrations').where({ workspace_id: ws.id, plugin_id: 'intune' }).first()
  const { loginHost, ...rest } = row.settings as Record<string, unknown>
  t.equal(loginHost, 'login.microsoftonline.com')
  // a setting the schema's default cannot fill any more (saved by an older version, say)
  await app.db('integrations').where({ workspace_id: ws.id, plugin_id: 'intune' }).update({ settings: JSON.stringify(rest) })
  t.teardown(() => app.integrations.settings.save(ws.id, admin, intune, fake.settings, { enabled: true }))
  const before = fake.requests.length
  const run = await testToEnd()
  t.match(run, { status: 'failed', message: 'Microsoft Intune cannot sign in: Microsoft Entra sign-in host is not set. Fill it in under Settings → Integrations → Microsoft Intune and save.' })
  t.match(await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.tested' }).orderBy('id', 'desc').first(), { outcome: 'failure', details: { reason: 'config' } })
  t.equal(fake.requests.length, before, 'nothing was sent')
})

t.test('a failure mid-import is retried from the last page that committed', async t => {
  await app.db('hardware').where({ workspace_id: ws.id }).whereIn('serial', ['INT0000008', 'INT0000009']).delete()
  fake.failPage(8, 503, undefined, { 'retry-after': '0' }, 5) // the third page: every attempt of ctx.http fails
  const run = await app.integrations.sync(ws.id, 'intune')
  await app.integrations.executeNow(ws.id, run.id)
  t.match(await app.integrations.run(ws.id, run.id), { status: 'retry_scheduled', attempt: 2, read: 8, created: 0, unchanged: 0, message: /HTTP 503/ })
  t.equal(Number((await app.db('integration_run_devices').where({ run_id: run.id }).count({ n: '*' }))[0].n), 8, 'the pages read wait, staged, for the rest of the run')
  t.match(await app.db('integration_state').where({ workspace_id: ws.id, plugin_id: 'intune' }).first(), { checkpoint: { nextLink: /\$skiptoken=/ } },
    'the link to the page that failed, saved after the pages before it')

  const seen = fake.requests.length
  await retryDueNow(app.db, ws.id, run.id)
  const resumed = await syncToEnd(run.id)
  t.ok(fake.requests.slice(seen).filter(r => r.path.endsWith('/managedDevices')).every(r => r.query.$skiptoken !== undefined), 'the retry read only the page that had failed')
  t.match(resumed, { status: 'succeeded', read: 12, created: 2, unchanged: 8, skipped: 1, errors: 1 }, 'the totals include the first attempt')
  t.ok(await hardware('INT0000009'), 'the missing devices are back')
  t.equal(Number((await app.db('hardware').where({ workspace_id: ws.id }).count({ n: '*' }))[0].n), 10, 'no duplicates')
})

t.test('rejected credentials fail the run in plain words and mark the integration', async t => {
  await app.integrations.settings.save(ws.id, admin, intune, fakeThatRejects.settings, { enabled: true })
  t.teardown(() => app.integrations.settings.save(ws.id, admin, intune, fake.settings, { enabled: true }))
  const run = await syncToEnd()
  t.match(run, { status: 'failed', attempt: 1, message: /AADSTS7000215.*not its Secret ID/ })
  t.match(await app.integrations.settings.get(ws.id, 'intune'), { needs_attention: true, last_sync_ok: false })
})

t.test('a serial the register holds in other letters or another Unicode form is the same device', async t => {
  const typed = await app.registry.hardware.create(ws.id, admin, { serial: 'c02case7', name: 'Typed by hand' })
  const kiosk = await app.registry.hardware.create(ws.id, admin, { serial: 'Caf\u00e9-8', name: 'Kiosk' })
  // Postgres lower-cases a final capital sigma to σ, JavaScript to ς: still one device.
  const greek = await app.registry.hardware.create(ws.id, admin, { serial: '\u03b1\u03c3-10', name: 'Athens office' })
  fake.devices.push(
    // Reported twice in one sync (on one page) under two cases: one device, the second a duplicate.
    { id: 'twice-a', serialNumber: 'twice-9', deviceName: 'TWICE', operatingSystem: 'Windows' },
    { id: 'twice-b', serialNumber: 'TWICE-9', deviceName: 'TWICE', operatingSystem: 'Windows' },
    { id: 'case-7', serialNumber: 'C02CASE7', deviceName: 'MAC-7', manufacturer: 'Apple', model: 'MacBook Air', operatingSystem: 'macOS', osVersion: '14.5' },
    { id: 'nfd-8', serialNumber: 'CAFE\u0301-8', deviceName: 'KIOSK-8', manufacturer: 'Apple', model: 'iPad', operatingSystem: 'iPadOS', osVersion: '17.5' },
    { id: 'greek-10', serialNumber: '\u0391\u03a3-10', deviceName: 'ATHENS', manufacturer: 'Dell Inc.', operatingSystem: 'Windows' }
  )
  t.teardown(() => { fake.devices.splice(-5) })
  const before = Number((await app.db('hardware').where({ workspace_id: ws.id }).count({ n: '*' }))[0].n)
  const run = await syncToEnd()
  t.match(run, { status: 'succeeded', created: 1, updated: 3, skipped: 2 }, 'three matched, one created, one skipped as a duplicate')
  t.equal(Number((await app.db('hardware').where({ workspace_id: ws.id }).count({ n: '*' }))[0].n), before + 1)
  t.match(await app.db('hardware').where({ id: typed.id }).first(), { serial: 'c02case7', os: 'macOS', model: 'MacBook Air', source_ids: { intune: 'case-7' } }, 'the serial stays as the admin typed it')
  t.match(await app.db('hardware').where({ id: kiosk.id }).first(), { serial: 'Caf\u00e9-8', os: 'iPadOS', source_ids: { intune: 'nfd-8' } })
  t.match(await app.db('hardware').where({ id: greek.id }).first(), { serial: '\u03b1\u03c3-10', source_ids: { intune: 'greek-10' } })
  t.match(await app.db('hardware').where({ workspace_id: ws.id }).whereRaw('lower(serial) = ?', ['twice-9']), [{ serial: 'TWICE-9', source_ids: { intune: 'twice-b' } }], 'the last reported wins, as for exact duplicates')
})
