// Sync runs end to end: the example plugin (outside plugins/) against its fake over real HTTP,
// drained through the register's importers on the real database.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'
import { systemActor, type Actor } from '../core/audit/index.ts'
import { discoverPlugins, type DiscoveredPlugin } from '../core/integrations/index.ts'
import { ACTIVE, type RunRow } from '../core/integrations/runs.ts'
import { declaredSchedule, startDueSyncs } from '../core/integrations/schedule.ts'
import { RetryLaterError, routeToFake, type Connector, type DeviceRecord, type SyncMessage } from '../core/sdk.ts'
import { readAhead } from '../core/sdk/drain.ts'
import { IMPORTERS } from '../core/register/importers/index.ts'
import { HARDWARE } from '../core/register/hardware.schema.ts'
import type { Knex } from 'knex'
import { startFake } from './fixtures/external-plugin/fake.ts'
import { until } from './helpers/wait.ts'

const admin: Actor = { type: 'user', id: null, label: 'admin@acme.test' }
const EXTERNAL = fileURLToPath(new URL('./fixtures/external-plugin/', import.meta.url))
const [example] = await discoverPlugins({ builtinDir: null, pluginDirs: [EXTERNAL] })

/** A variant of the example plugin with its own id, manifest fields and connector. */
function variant (id: string, manifest: Partial<DiscoveredPlugin['manifest']>, connector: Connector): DiscoveredPlugin {
  return { ...example, id, manifest: { ...example.manifest, id, name: id, ...manifest }, connector }
}

let retryAttempts = 0
const checkpointsSeen: unknown[] = []
const flaky = variant('flaky', {}, {
  async * sync (_ctx, { checkpoint }) {
    checkpointsSeen.push(checkpoint)
    retryAttempts++
    if (checkpoint === null) {
      yield { type: 'upsert', model: 'device', records: [{ externalId: 'f1', serial: 'FLAKY-1', model: 'MacBook Air' }] }
      yield { type: 'checkpoint', value: { page: 1 } }
      throw new RetryLaterError(new Date(Date.now() + 200), 'rate limited by the vendor')
    }
    yield { type: 'upsert', model: 'device', records: [{ externalId: 'f2', serial: 'FLAKY-2', model: 'MacBook Air' }] }
  }
})
const greedy = variant('greedy', {}, {
  async * sync () { yield { type: 'upsert', model: 'person', records: [{ externalId: 'p', email: 'p@acme.test' }] } as SyncMessage }
})
const directory = variant('directory', {
  syncs: [{ id: 'people', model: 'person', mode: 'full' }, { id: 'seats', model: 'seat', mode: 'full' }],
  permissions: ['person:write', 'seat:write']
}, {
  async * sync (_ctx, { syncId }) {
    if (syncId === 'people') {
      yield {
        type: 'upsert',
        model: 'person',
        records: [
          { externalId: 'e1', email: 'Ada@Acme.test', firstName: 'Ada', lastName: 'Lovelace', department: 'R&D', managerEmail: 'grace@acme.test' },
          { externalId: 'e2', email: 'grace@acme.test', firstName: 'Grace', lastName: 'Hopper', jobTitle: 'CTO' }
        ]
      }
    } else {
      yield {
        type: 'upsert',
        model: 'seat',
        records: [
          { externalId: 's1', softwareName: 'Figma', email: 'ada@acme.test', lastActiveAt: '2026-11-01T10:00:00Z' },
          { externalId: 's2', softwareName: 'figma', email: 'contractor@elsewhere.test', lastActiveAt: null }
        ]
      }
      yield { type: 'delete', model: 'seat', externalIds: ['gone'] }
    }
  }
})

const fake = await startFake()
const fakeThatRejects = await startFake({ rejectCredentials: true })
t.teardown(async () => { await fake.close(); await fakeThatRejects.close() })
const dispatcher = routeToFake(fake.url)
const { app, workspace } = await buildTestApp(t, {}, { plugins: [example, flaky, greedy, directory], httpDispatcher: dispatcher })
const ws = await workspace('acme')
const other = await workspace('other')
// The example plugin's fake listens on 127.0.0.1: the operator allows it, as for an on-premises server.
for (const { id } of [ws, other]) await allowPrivateHosts(app.db, id, systemActor, [new URL(fake.url).hostname])

/** Queues a sync as Sync now does and waits for its end (executing it here if no worker has yet). */
async function syncToEnd (pluginId: string, options: { dryRun?: boolean, workspaceId?: string } = {}): Promise<RunRow> {
  const workspaceId = options.workspaceId ?? ws.id
  const run = await app.integrations.sync(workspaceId, pluginId, { dryRun: options.dryRun })
  await app.integrations.executeNow(workspaceId, run.id)
  return await until(async () => {
    const r = await app.integrations.run(workspaceId, run.id)
    return r && !ACTIVE.includes(r.status) && r
  })
}

const countHardware = async () => Number((await app.db('hardware').where({ workspace_id: ws.id }).count({ n: '*' }))[0].n)

for (const plugin of [example, flaky, greedy, directory]) {
  await app.integrations.settings.save(ws.id, admin, plugin, fake.settings, { enabled: true })
}
const pat = await app.registry.people.create(ws.id, systemActor, { email: 'Pat@acme.test', first_name: 'Pat' })
await app.registry.people.create(ws.id, systemActor, { email: 'gone@acme.test', first_name: 'Gone', status: 'offboarded' })

fake.devices.push(
  { id: 'd1', serial: 'C02AAA', model: 'MacBook Pro', owner: 'pat@ACME.test', updatedAt: '2026-01-01T00:00:00Z' },
  { id: 'd2', serial: 'PF-XYZ', model: 'ThinkCentre M70', owner: 'gone@acme.test', updatedAt: '2026-01-01T00:00:00Z' },
  { id: 'd3', serial: null, model: 'Virtual machine', owner: null, updatedAt: '2026-01-01T00:00:00Z' },
  { id: 'd4', serial: 'IPAD-1', model: 'iPad Air', owner: 'nobody@acme.test', updatedAt: '2026-01-01T00:00:00Z' }
)

t.test('a first sync creates hardware by the MDM rules and records the run', async t => {
  const run = await syncToEnd('acme-inventory')
  t.equal(run.status, 'succeeded', String(run.message))
  t.match(run, { read: 4, created: 3, updated: 0, unchanged: 0, skipped: 1, errors: 0, trigger: 'manual' })
  t.match(run.message, /3 created, 0 updated, 0 unchanged, 1 skipped, 0 errors/)

  const rows = await app.db('hardware').where({ workspace_id: ws.id }).orderBy('asset_tag')
  t.same(rows.map(r => r.asset_tag), ['ACME-000001', 'ACME-000002', 'ACME-000003'], 'asset tags from the workspace convention')
  const mac = rows.find(r => r.serial === 'C02AAA')
  t.match(mac, {
    name: "Pat's MacBook Pro",
    category: 'laptop',
    manufacturer: 'Acme',
    status: 'assigned',
    assigned_user_id: pat.id,
    condition: 'good',
    acknowledgement_note: 'Imported from MDM (Acme Inventory (example))',
    source: 'acme-inventory',
    source_ids: { 'acme-inventory': 'd1' }
  })
  t.ok(mac.acknowledged_at, 'pre-acknowledged')
  t.match(rows.find(r => r.serial === 'PF-XYZ'), { category: 'desktop', status: 'available', assigned_user_id: null }, 'an offboarded owner is no match')
  t.match(rows.find(r => r.serial === 'IPAD-1'), { category: 'tablet', status: 'available', name: 'iPad Air' })
  t.equal((await app.db('hardware_assignments').where({ workspace_id: ws.id })).length, 1, 'one assignment opened')

  const audit = await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.synced' })
  t.equal(audit.length, 1, 'one audit entry for the run')
  t.match(audit[0], { actor_type: 'plugin', outcome: 'success', details: { source: 'Acme Inventory (example)', created: 3, skipped: 1, errors: 0 } })
  const state = await app.db('integration_state').where({ workspace_id: ws.id, plugin_id: 'acme-inventory' }).first()
  t.match(state, { sync_id: 'devices', checkpoint: { since: String } }, 'the checkpoint saved after the records')
  const events = await app.db('events').where({ workspace_id: ws.id }).whereRaw("payload -> 'import' IS NOT NULL").orderBy('sequence')
  t.same(events.map(e => e.type).sort(), ['hardware.assigned', 'hardware.created', 'hardware.created', 'hardware.created'])
  const { import: mark, ...payload } = events.find(e => e.type === 'hardware.created' && e.payload.serial === 'C02AAA').payload
  t.same(mark, { plugin: 'acme-inventory' })
  t.same(payload, JSON.parse(JSON.stringify(HARDWARE.fromDb(await app.db('hardware').where({ id: mac.id }).first()))), 'the event carries the row as every other writer\'s does')
  t.ok(events.findIndex(e => e.type === 'hardware.assigned') > events.findIndex(e => e.payload.serial === 'C02AAA'), 'assigned after created')
  t.equal((await app.db('audit_log').where({ workspace_id: ws.id }).whereLike('action', 'hardware.%')).length, 0, 'creations are audited by the run\'s entry')
  t.match(await app.integrations.settings.get(ws.id, 'acme-inventory'), { last_sync_ok: true })
})

t.test('a second run with no MDM change writes nothing', async t => {
  await app.db('integration_state').where({ workspace_id: ws.id }).delete()
  const before = { audit: await app.db('audit_log').where({ workspace_id: ws.id }).whereLike('action', 'hardware.%').count({ n: '*' }), hw: await app.db('hardware').where({ workspace_id: ws.id }).max('updated_at') }
  const run = await syncToEnd('acme-inventory')
  t.match(run, { status: 'succeeded', created: 0, updated: 0, unchanged: 3, skipped: 1 })
  t.same(await app.db('audit_log').where({ workspace_id: ws.id }).whereLike('action', 'hardware.%').count({ n: '*' }), before.audit, 'no hardware audit entries')
  t.same(await app.db('hardware').where({ workspace_id: ws.id }).max('updated_at'), before.hw, 'no hardware row touched')
})

t.test('a re-import overwrites only the reported identity fields, and hand edits survive', async t => {
  const mac = await app.db('hardware').where({ workspace_id: ws.id, serial: 'C02AAA' }).first()
  await app.registry.hardware.update(ws.id, admin, mac.id, { name: 'Design laptop', category: 'loaner', cpu: 'M3 Pro', purchase_price: 2499 })
  fake.devices[0] = { ...fake.devices[0], model: 'MacBook Pro (2024)', updatedAt: '2099-01-01T00:00:00Z' }

  const preview = await syncToEnd('acme-inventory', { dryRun: true })
  t.match(preview, { status: 'succeeded', dry_run: true, updated: 1, created: 0 })
  t.match(preview.preview, [{ action: 'update', externalId: 'd1', changes: { model: { old: 'MacBook Pro', new: 'MacBook Pro (2024)' } } }], 'the preview shows the change field by field')
  t.equal((await app.db('hardware').where({ id: mac.id }).first()).model, 'MacBook Pro', 'a preview writes nothing')

  const run = await syncToEnd('acme-inventory')
  t.match(run, { status: 'succeeded', updated: 1, created: 0 })
  t.match(await app.db('hardware').where({ id: mac.id }).first(), {
    model: 'MacBook Pro (2024)', name: 'Design laptop', category: 'loaner', cpu: 'M3 Pro', purchase_price: '2499.00', status: 'assigned'
  })
  const audit = await app.db('audit_log').where({ workspace_id: ws.id, action: 'hardware.updated', target_id: mac.id }).orderBy('id', 'desc').first()
  t.match(audit, { actor_type: 'plugin', changes: { model: { old: 'MacBook Pro', new: 'MacBook Pro (2024)' } } })
})

t.test('rejected credentials fail the run, mark the integration and are not retried', async t => {
  await app.integrations.settings.save(ws.id, admin, example, fakeThatRejects.settings, { enabled: true })
  t.teardown(() => app.integrations.settings.save(ws.id, admin, example, fake.settings, { enabled: true }))
  const before = await countHardware()
  const run = await syncToEnd('acme-inventory')
  t.match(run, { status: 'failed', attempt: 1, message: /401/ })
  t.match(await app.integrations.settings.get(ws.id, 'acme-inventory'), { needs_attention: true, last_sync_ok: false })
  t.equal(await countHardware(), before)
  t.match(await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.synced' }).orderBy('id', 'desc').first(), { outcome: 'failure', details: { reason: 'auth' } })
})

t.test('a rate limit schedules a retry that resumes from the last checkpoint', async t => {
  const run = await app.integrations.sync(ws.id, 'flaky')
  await app.integrations.executeNow(ws.id, run.id)
  const waiting = await app.integrations.run(ws.id, run.id)
  t.match(waiting, { status: 'retry_scheduled', read: 1, created: 0, attempt: 2, message: /rate limited/ })
  t.ok(waiting?.retry_at)
  t.match(await app.db('integration_run_devices').where({ run_id: run.id }).select('external_id'), [{ external_id: String }],
    'the device read before the failure waits, staged, for the rest of the run (it may have a newer duplicate)')
  await t.rejects(app.integrations.sync(ws.id, 'flaky'), { name: 'RunActiveError' }, 'the waiting run keeps the slot')
  const done = await until(async () => {
    await app.integrations.executeNow(ws.id, run.id)
    const r = await app.integrations.run(ws.id, run.id)
    return r && !ACTIVE.includes(r.status) && r
  })
  t.match(done, { status: 'succeeded', created: 2 }, 'the totals include the first attempt')
  t.same(checkpointsSeen, [null, { page: 1 }], 'the retry started from the saved checkpoint')
  t.equal(retryAttempts, 2)
  t.ok(await app.db('hardware').where({ workspace_id: ws.id, serial: 'FLAKY-1' }).first(), 'records before the failure were kept for the retry')
})

t.test('a plugin cannot write a model it did not declare', async t => {
  const run = await syncToEnd('greedy')
  t.match(run, { status: 'failed', message: /person:write/ })
  t.notOk(await app.db('users').where({ workspace_id: ws.id, email: 'p@acme.test' }).first())
})

t.test('people and seats: matched by email, managers resolved, titles created, deletes revoke', async t => {
  await app.db('software_assignments').insert({ workspace_id: ws.id, software_id: (await app.registry.software.create(ws.id, admin, { name: 'Slack' })).id, external_email: 'x@y.test', source: 'directory', external_id: 'gone' })
  const run = await syncToEnd('directory')
  t.match(run, { status: 'succeeded', created: 4, updated: 0, deleted: 1, errors: 0 })
  const ada = await app.db('users').where({ workspace_id: ws.id }).whereRaw("lower(email) = 'ada@acme.test'").first()
  const grace = await app.db('users').where({ workspace_id: ws.id, email: 'grace@acme.test' }).first()
  t.match(ada, { first_name: 'Ada', department: 'R&D', manager_id: grace.id, role: 'employee', source: 'directory' })
  const figma = await app.db('software').where({ workspace_id: ws.id }).whereRaw("lower(name) = 'figma'")
  t.equal(figma.length, 1, 'one title for Figma and figma')
  const seats = await app.db('software_assignments').where({ workspace_id: ws.id, software_id: figma[0].id })
  t.same(seats.map(s => s.user_id ?? s.external_email).sort(), [ada.id, 'contractor@elsewhere.test'].sort())
  t.ok((await app.db('software_assignments').where({ external_id: 'gone' }).first()).revoked_at, 'the deleted seat is revoked')

  const again = await syncToEnd('directory')
  t.match(again, { status: 'succeeded', created: 0, updated: 0, unchanged: 4 }, 'idempotent')
})

t.test('scheduled syncs: off by default, never shorter than the minimum, started when due', async t => {
  t.equal((await app.integrations.settings.get(ws.id, 'acme-inventory'))?.schedule_minutes, null, 'off by default')
  await t.rejects(app.integrations.schedule(ws.id, admin, 'acme-inventory', 5), { name: 'ScheduleError', message: /at least 15/ })
  await app.integrations.schedule(ws.id, admin, 'acme-inventory', 60)
  t.match(await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.schedule_changed' }).first(), { changes: { schedule_minutes: { old: null, new: 60 } } })
  t.equal(await startDueSyncs(app.db, app.jobs, new Map([[example.id, example]])), 0, 'not due for an hour')
  await app.db('integrations').where({ workspace_id: ws.id, plugin_id: 'acme-inventory' }).update({ next_sync_at: app.db.raw("now() - interval '1 minute'") })
  t.equal(await startDueSyncs(app.db, app.jobs, new Map([[example.id, example]])), 1, 'due: one run started')
  const run = await app.db('integration_runs').where({ workspace_id: ws.id, plugin_id: 'acme-inventory', trigger: 'schedule' }).first()
  t.ok(run, 'a scheduled run')
  t.ok((await app.integrations.settings.get(ws.id, 'acme-inventory'))!.next_sync_at! > new Date(), 'the next time moved on')
  await until(async () => { const r = await app.integrations.run(ws.id, run.id); return r && !ACTIVE.includes(r.status) })
  await app.integrations.schedule(ws.id, admin, 'acme-inventory', null)
  t.match(await app.integrations.settings.get(ws.id, 'acme-inventory'), { schedule_minutes: null, next_sync_at: null })
})

t.test("a plugin's declared schedule (syncs[].schedule) is where a workspace starts; the admin's choice is kept after", async t => {
  const nightly = variant('nightly', { syncs: [{ id: 'devices', model: 'device', mode: 'full', schedule: 'daily' }] }, {
    async * sync () { yield { type: 'upsert', model: 'device', records: [] } as SyncMessage }
  })
  await app.integrations.settings.save(ws.id, admin, nightly, fake.settings, { enabled: true })
  const saved = (await app.integrations.settings.get(ws.id, 'nightly'))!
  t.equal(saved.schedule_minutes, 1440, 'daily, as declared')
  const hoursAway = (saved.next_sync_at!.getTime() - Date.now()) / 3_600_000
  t.ok(hoursAway > 23.9 && hoursAway <= 24, 'the first scheduled run is a day away, not at once')
  t.match(await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.settings_saved', target_id: 'nightly' }).first(), { changes: { schedule_minutes: { old: null, new: 1440 } } })

  await app.db('integrations').where({ workspace_id: ws.id, plugin_id: 'nightly' }).update({ schedule_minutes: null, next_sync_at: null }) // the admin turned it off
  await app.integrations.settings.save(ws.id, admin, nightly, fake.settings, { enabled: true })
  t.equal((await app.integrations.settings.get(ws.id, 'nightly'))!.schedule_minutes, null, 'a later save keeps the admin\'s choice')

  const declaring = (syncs: Array<{ schedule?: 'off' | 'hourly' | 'daily', minimumIntervalMinutes?: number }>) =>
    declaredSchedule({ manifest: { syncs: syncs.map((s, i) => ({ id: `s${i}`, model: 'device' as const, mode: 'full' as const, ...s })) } })
  t.equal(declaring([{}]), null, 'none declared: off')
  t.equal(declaring([{ schedule: 'off' }]), null)
  t.equal(declaring([{ schedule: 'hourly' }, { schedule: 'daily' }]), 60, 'the most frequent of several')
  t.equal(declaring([{ schedule: 'hourly', minimumIntervalMinutes: 90 }]), 240, 'never under the minimum: the next choice above it')
})

/** `trx`, but right after the importer's first read of hardware, `meanwhile` runs (as another writer would). */
function afterFirstRead (trx: Knex.Transaction, meanwhile: (trx: Knex.Transaction) => Promise<unknown>): Knex.Transaction {
  let done = false
  return new Proxy(trx, {
    apply: (target, _this, args: Parameters<Knex.Transaction>) => target(...args),
    get (target, prop) {
      if (prop !== 'raw') {
        const value = Reflect.get(target, prop)
        return typeof value === 'function' ? value.bind(target) : value
      }
      return async (...args: Parameters<Knex.Transaction['raw']>) => {
        const result = await target.raw(...args)
        if (!done && /^\s*SELECT id, serial, version/.test(String(args[0]))) {
          done = true
          await meanwhile(target)
        }
        return result
      }
    }
  })
}

const source = { pluginId: 'acme-inventory', name: 'Acme Inventory (example)' }
const importDevices = async (records: DeviceRecord[], meanwhile: (trx: Knex.Transaction) => Promise<unknown>) =>
  await app.db.transaction(async trx => (await IMPORTERS.device.upsert(afterFirstRead(trx, meanwhile), ws.id, source, records)).result)

t.test('a row edited after the importer read it is merged again under a lock, never written back stale', async t => {
  const row = await app.db('hardware').where({ workspace_id: ws.id, serial: 'IPAD-1' }).first()
  const batch = await importDevices([{ externalId: 'd4', serial: 'IPAD-1', osVersion: '18.1' }], async trx => {
    await trx('hardware').where({ id: row.id }).update({ model: 'iPad Air (M2)', os_version: '17.0', version: row.version + 1 })
  })
  t.match(batch, { updated: 1, unchanged: 0, created: 0, errors: [] })
  t.match(await app.db('hardware').where({ id: row.id }).first(), { model: 'iPad Air (M2)', os_version: '18.1', version: row.version + 2 }, 'the edit survives; the MDM value is applied over it')
  const audit = await app.db('audit_log').where({ workspace_id: ws.id, action: 'hardware.updated', target_id: row.id }).orderBy('id', 'desc').first()
  t.same(audit.changes, { os_version: { old: '17.0', new: '18.1' } }, 'the change is described from the row as it was')
})

t.test('a serial another writer created meanwhile is updated, not duplicated', async t => {
  const batch = await importDevices([{ externalId: 'late', serial: 'RACE-1', model: 'ThinkPad X1' }], async trx => {
    await trx('hardware').insert({ workspace_id: ws.id, asset_tag: 'HAND-1', serial: 'RACE-1', name: 'Typed by hand' })
  })
  t.match(batch, { created: 0, updated: 1, errors: [] })
  const rows = await app.db('hardware').where({ workspace_id: ws.id, serial: 'RACE-1' })
  t.equal(rows.length, 1)
  t.match(rows[0], { name: 'Typed by hand', model: 'ThinkPad X1', source_ids: { 'acme-inventory': 'late' } })
})

t.test('readAhead asks for the next message while the last one is handled, never more', async t => {
  const log: string[] = []
  async function * pages () {
    for (let page = 1; page <= 3; page++) {
      log.push(`fetch ${page}`)
      yield page
    }
  }
  for await (const page of readAhead(pages())) {
    log.push(`write ${page} start`)
    await new Promise(resolve => setTimeout(resolve, 10))
    log.push(`write ${page} end`)
  }
  t.same(log, ['fetch 1', 'fetch 2', 'write 1 start', 'write 1 end', 'fetch 3', 'write 2 start', 'write 2 end', 'write 3 start', 'write 3 end'])
})

t.test('runs are workspace-scoped', async t => {
  const run = await app.db('integration_runs').where({ workspace_id: ws.id }).first()
  t.equal(await app.integrations.run(other.id, run.id), undefined)
})
