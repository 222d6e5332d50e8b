// The Jamf Pro import end to end on the real database: the plugin against its fake over HTTP,
// drained through the core's device importer as Sync now / Import devices does, and the hardware
// form's "Look up by serial" answered by Jamf.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import { retryDueNow, until } from './helpers/wait.ts'
import { systemActor, type Actor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { ACTIVE, type RunRow } from '../core/integrations/runs.ts'
import { routeToFake } from '../core/sdk.ts'
import { COMPUTERS_PATHS, MOBILE_PATH, serialOf, startFake } from '../plugins/jamf/fake.ts'

const admin: Actor = { type: 'user', id: null, label: 'admin@acme.test' }
const [jamf] = await discoverPlugins({ builtinDir: null, pluginDirs: [fileURLToPath(new URL('../plugins/jamf/', import.meta.url))] })

const fake = await startFake({ fleet: { size: 30, changedEvery: 10 } })
const dispatcher = routeToFake(fake.url)
t.teardown(async () => { await dispatcher.close(); await fake.close() })
const { app, workspace } = await buildTestApp(t, {}, { plugins: [jamf], httpDispatcher: dispatcher })
const ws = await workspace('acme')

await app.integrations.settings.save(ws.id, admin, jamf, fake.settings, { enabled: true })
const ada = await app.registry.people.create(ws.id, systemActor, { email: 'Person0@fleet.test', first_name: 'Ada', last_name: 'Lovelace', role: 'admin' })
await app.registry.people.create(ws.id, systemActor, { email: 'person8@fleet.test', first_name: 'Grace', last_name: 'Hopper' })
await app.registry.people.create(ws.id, systemActor, { email: 'person2@fleet.test', first_name: 'Gone', status: 'offboarded' })

fake.devices.push(
  { id: '9001', udid: 'VM-1', general: { name: 'Build VM' }, hardware: { serialNumber: '', model: 'VMware7,1' } },
  { id: '9002', udid: 'BAD-1', hardware: { serialNumber: 42 } }
)

async function importToEnd (workspaceId = ws.id): Promise<RunRow> {
  const run = await app.integrations.sync(workspaceId, 'jamf')
  await app.integrations.executeNow(workspaceId, run.id)
  return await until(async () => {
    const r = await app.integrations.run(workspaceId, run.id)
    return r && !ACTIVE.includes(r.status) && r
  })
}

const hardware = async (serial: string) => await app.db('hardware').where({ workspace_id: ws.id, serial }).first()

t.test('the first import creates hardware by the MDM rules', async t => {
  const run = await importToEnd()
  t.equal(run.status, 'succeeded', String(run.message))
  t.match(run, { read: 32, created: 30, updated: 0, unchanged: 0, skipped: 1, errors: 1 })
  t.match(run.error_details, [{ externalId: 'computer:9002', reason: /hardware\.serialNumber must be a string/ }])

  t.match(await hardware(serialOf(0)), {
    manufacturer: 'Apple',
    model: 'MacBook Pro (14-inch, 2023)',
    os: 'macOS',
    os_version: '14.4',
    mac_address: 'A4:83:E7:00:00:00',
    category: 'laptop',
    name: 'Ada\'s MacBook Pro (14-inch, 2023)',
    status: 'assigned',
    assigned_user_id: ada.id,
    condition: 'good',
    acknowledgement_note: 'Imported from MDM (Jamf Pro)',
    source: 'jamf',
    source_ids: { jamf: 'computer:1' },
    specifications: { processorName: 'Apple M2 Pro', memoryGb: 16, storage: '500 GB' },
    cpu: null,
    ram: null,
    storage: null
  })
  t.ok((await hardware(serialOf(0))).acknowledged_at, 'pre-acknowledged: nobody is asked to confirm a device they hold')
  t.match(await hardware(serialOf(2)), { status: 'available', assigned_user_id: null }, 'an offboarded owner is no match')
  t.match(await hardware(serialOf(3)), { category: 'desktop', mac_address: 'A4:83:E7:00:00:03' }, 'an iMac, by its Wi-Fi')
  t.match(await hardware(serialOf(7)), { category: 'phone', os: 'iOS', manufacturer: 'Apple', source_ids: { jamf: 'mobile:1' } })
  t.match(await hardware(serialOf(8)), { category: 'tablet', os: 'iPadOS', name: 'Grace\'s iPad Air (5th generation)', status: 'assigned' })

  const audit = await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.synced' })
  t.equal(audit.length, 1, 'one audit entry for the run')
  t.match(audit[0], { actor_type: 'plugin', outcome: 'success', details: { source: 'Jamf Pro', created: 30, skipped: 1, errors: 1 } })
  t.notOk(await app.db('integration_state').where({ workspace_id: ws.id, plugin_id: 'jamf' }).first(), 'a completed full sync keeps no checkpoint')
})

t.test('a second import with no change in Jamf writes nothing', async t => {
  const before = {
    audit: await app.db('audit_log').where({ workspace_id: ws.id }).whereLike('action', 'hardware.%').count({ n: '*' }),
    touched: await app.db('hardware').where({ workspace_id: ws.id }).max('updated_at')
  }
  const run = await importToEnd()
  t.match(run, { status: 'succeeded', created: 0, updated: 0, unchanged: 30, skipped: 1, errors: 1 })
  t.same(await app.db('audit_log').where({ workspace_id: ws.id }).whereLike('action', 'hardware.%').count({ n: '*' }), before.audit)
  t.same(await app.db('hardware').where({ workspace_id: ws.id }).max('updated_at'), before.touched, 'no hardware row touched')
})

t.test('a re-import updates what Jamf changed and keeps what the admin edited', async t => {
  const mac = await hardware(serialOf(0))
  await app.registry.hardware.update(ws.id, admin, mac.id, { name: 'Design laptop', category: 'loaner', cpu: 'M2 Pro (10-core)' })
  fake.fleet.revision = 1 // devices 0, 10 and 20 report macOS 14.5
  const run = await importToEnd()
  t.match(run, { status: 'succeeded', created: 0, updated: 3, unchanged: 27 })
  t.match(await hardware(serialOf(0)), { os_version: '14.5', name: 'Design laptop', category: 'loaner', cpu: 'M2 Pro (10-core)', status: 'assigned' })
  t.match(await hardware(serialOf(10)), { os_version: '14.5' })
  t.match(await hardware(serialOf(1)), { os_version: '14.4' })
})

t.test('Look up by serial on the hardware form fills from Jamf and suggests CPU, RAM and storage', async t => {
  const asAda = await signIn(app, { slug: 'acme', workspaceId: ws.id, userId: ada.id })
  const htmx = { 'hx-request': 'true', 'hx-target': 'hardware-fields' }
  const found = await asAda.post('/hardware/lookup', { serial: serialOf(20), name: '', cpu: '', ram: '' }, { headers: htmx })
  t.equal(found.statusCode, 200)
  t.match(found.body, 'Found in Jamf Pro.')
  t.match(found.body, /<input id="hw-manufacturer" name="[a-z_]+" value="Apple"/)
  t.match(found.body, /<input id="hw-mac-address" name="[a-z_]+" value="a4:83:e7:00:00:14"/)
  t.match(found.body, /id="hw-cpu-suggestion">Suggested: <strong>Apple M2 Pro<\/strong>/)
  t.match(found.body, /id="hw-ram-suggestion">Suggested: <strong>16 GB<\/strong>/)
  t.match(found.body, /id="hw-storage-suggestion">Suggested: <strong>500 GB<\/strong>/)
  const missing = await asAda.post('/hardware/lookup', { serial: 'NOT-IN-JAMF' }, { headers: htmx })
  t.match(missing.body, 'No connected integration knows the serial number NOT-IN-JAMF.')
})

t.test('a run throttled mid-way is rescheduled, resumes from its checkpoint and completes without duplicates', async t => {
  const beta = await workspace('beta')
  await app.integrations.settings.save(beta.id, admin, jamf, fake.settings, { enabled: true })
  const countBeta = async () => Number((await app.db('hardware').where({ workspace_id: beta.id }).count({ n: '*' }))[0].n)
  fake.requests.length = 0
  fake.failNext(429, undefined, { 'retry-after': '600' }, 1, MOBILE_PATH) // computers go through, mobile devices are throttled

  const run = await app.integrations.sync(beta.id, 'jamf')
  await app.integrations.executeNow(beta.id, run.id)
  const waiting = await app.integrations.run(beta.id, run.id)
  t.match(waiting, { status: 'retry_scheduled', created: 0, attempt: 2, message: 'Jamf Pro asked Stocktake to slow down (rate limited)' })
  t.equal(Number((await app.db('integration_run_devices').where({ run_id: run.id }).count({ n: '*' }))[0].n), 21,
    'the computers are staged: a mobile device may carry one of their serials')
  t.match(await app.db('integration_state').where({ workspace_id: beta.id, plugin_id: 'jamf' }).first(), { checkpoint: { collection: 'mobile-devices', page: 0 } })

  await retryDueNow(app.db, beta.id, run.id) // the retry, without waiting ten minutes
  await app.integrations.executeNow(beta.id, run.id)
  const done = await app.integrations.run(beta.id, run.id)
  t.match(done, { status: 'succeeded', created: 30, skipped: 1, errors: 1 }, 'the totals include the first attempt')
  t.equal(await countBeta(), 30)
  t.equal(fake.requests.filter(r => r.path === COMPUTERS_PATHS.v3).length, 1, 'the retry did not read the computers again')
})
