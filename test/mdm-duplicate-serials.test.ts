// One serial, several MDM records (a re-enrolled device, a Mac after a logic-board repair, the same
// serial on a Jamf computer and a mobile device): the run keeps the record that checked in last,
// whatever pages the vendor puts them on, and an unchanged re-run writes nothing at all. The real
// connectors against their fakes over HTTP, into the real database.
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Agent } from 'undici'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { until } from './helpers/wait.ts'
import { systemActor, type Actor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { ACTIVE, type RunRow } from '../core/integrations/runs.ts'
import { startFake as startIntune } from '../plugins/intune/fake.ts'
import { startFake as startJamf } from '../plugins/jamf/fake.ts'

const admin: Actor = { type: 'user', id: null, label: 'admin@acme.test' }
const plugins = await discoverPlugins({
  builtinDir: null,
  pluginDirs: ['intune', 'jamf'].map(id => fileURLToPath(new URL(`../plugins/${id}/`, import.meta.url)))
})
const [intune, jamf] = ['intune', 'jamf'].map(id => plugins.find(p => p.id === id)!)

// Graph pages of 3: the generated devices take the first two pages, the duplicates below land on
// pages 3, 4 and 5 — each page its own batch, since a checkpoint follows every page.
const intuneFake = await startIntune({ fleet: { size: 5 }, maxPageSize: 3 })
const graphDevice = (id: string, serialNumber: string, lastSyncDateTime: string, osVersion: string, model = 'Latitude 7440') =>
  ({ id, serialNumber, lastSyncDateTime, osVersion, model, manufacturer: 'Dell Inc.', operatingSystem: 'Windows', deviceName: id })
intuneFake.devices.push(
  // re-enrolled: the current enrolment comes first, the stale one two pages later, in other letters
  graphDevice('reenrol-new', 'REENROL-1', '2026-03-01T08:00:00Z', '10.0.22631'),
  graphDevice('board-old', 'BOARD-2', '2025-06-01T08:00:00Z', '10.0.19045', 'Latitude 5420'),
  graphDevice('spacer-1', 'SPACER-1', '2026-03-01T08:00:00Z', '10.0.22631'),
  graphDevice('spacer-2', 'SPACER-2', '2026-03-01T08:00:00Z', '10.0.22631'),
  // after a logic-board repair: the old record first, the new one on a later page
  graphDevice('board-new', 'board-2', '2026-02-01T08:00:00Z', '10.0.22631', 'Latitude 5440'),
  graphDevice('reenrol-old', 'reenrol-1', '2025-11-01T08:00:00Z', '10.0.19045'),
  // the same serial in its decomposed Unicode form (NFD), with no check-in time: it loses
  graphDevice('cafe-never', 'CAFE\u0301-3', '0001-01-01T00:00:00Z', '10.0.19045'),
  graphDevice('cafe-now', 'CAF\u00c9-3', '2026-03-02T08:00:00Z', '10.0.22631')
)

// Jamf pages of 2: one serial as a computer (older) and as a mobile device (newer), in the two
// inventories, read one after the other.
const jamfFake = await startJamf({ fleet: { size: 2 }, maxPageSize: 2 })
jamfFake.devices.push(
  { id: '501', general: { name: 'Repaired Mac', lastContactTime: '2026-01-05T10:00:00Z' }, hardware: { serialNumber: 'C02DUAL', model: 'MacBook Air (M1, 2020)' }, operatingSystem: { name: 'macOS', version: '13.6' } },
  { id: '502', general: { name: 'Spare', lastContactTime: '2026-01-05T10:00:00Z' }, hardware: { serialNumber: 'C02SPARE', model: 'MacBook Air (M1, 2020)' }, operatingSystem: { name: 'macOS', version: '14.4' } },
  { id: '503', general: { name: 'Old Mac', lastContactTime: '2026-01-07T10:00:00Z' }, hardware: { serialNumber: 'C02LOGIC', model: 'MacBook Pro (14-inch, 2021)' }, operatingSystem: { name: 'macOS', version: '13.0' } },
  { id: '504', general: { name: 'New Mac', lastContactTime: '2026-03-07T10:00:00Z' }, hardware: { serialNumber: 'c02logic', model: 'MacBook Pro (14-inch, 2023)' }, operatingSystem: { name: 'macOS', version: '14.5' } },
  { mobileDeviceId: '601', deviceType: 'ios', general: { displayName: 'Dual', osVersion: '17.4', lastInventoryUpdateDate: '2026-02-05T10:00:00Z' }, hardware: { serialNumber: 'c02dual', model: 'iPad Air (5th generation)' } }
)

// Each vendor's host reaches its own fake, as routeToFake does for one.
const portOf = (url: string) => Number(new URL(url).port)
const dispatcher = new Agent({
  connect: (options, callback) => {
    const socket = connect(portOf(options.hostname.endsWith('.jamfcloud.com') ? jamfFake.url : intuneFake.url), '127.0.0.1')
    socket.once('connect', () => callback(null, socket))
    socket.once('error', err => callback(err, null))
  }
})
t.teardown(async () => { await dispatcher.close(); await intuneFake.close(); await jamfFake.close() })

const { app, workspace } = await buildTestApp(t, { STOCKTAKE_WORKER: '0' }, { plugins: [intune, jamf], httpDispatcher: dispatcher })
const ws = await workspace('acme')
await app.integrations.settings.save(ws.id, admin, intune, intuneFake.settings, { enabled: true })
await app.integrations.settings.save(ws.id, admin, jamf, jamfFake.settings, { enabled: true })
await app.registry.people.create(ws.id, systemActor, { email: 'it@acme.test', first_name: 'Ida', role: 'admin' })

async function syncToEnd (pluginId: string): Promise<RunRow> {
  const run = await app.integrations.sync(ws.id, pluginId)
  await app.integrations.executeNow(ws.id, run.id)
  return await until(async () => {
    const r = await app.integrations.run(ws.id, run.id)
    return r && !ACTIVE.includes(r.status) && r
  })
}

const bySerial = async (serial: string) => await app.db('hardware').where({ workspace_id: ws.id }).whereRaw('lower(serial) = lower(?)', [serial.normalize('NFC')]).select('serial', 'model', 'os_version', 'source_ids')

/** Everything a write leaves behind: row versions, audit entries, outbox events. */
async function footprint () {
  const [{ versions }] = await app.db('hardware').where({ workspace_id: ws.id }).select(app.db.raw('coalesce(sum(version), 0)::int AS versions'))
  const [{ audit }] = await app.db('audit_log').where({ workspace_id: ws.id }).whereLike('action', 'hardware.%').select(app.db.raw('count(*)::int AS audit'))
  const [{ events }] = await app.db('events').where({ workspace_id: ws.id }).select(app.db.raw('count(*)::int AS events'))
  const [{ touched }] = await app.db('hardware').where({ workspace_id: ws.id }).select(app.db.raw('max(updated_at) AS touched'))
  return { versions, audit, events, touched: String(touched) }
}

t.test('Intune: one hardware row per serial, from the record that synced last, whatever its page', async t => {
  const run = await syncToEnd('intune')
  t.match(run, { status: 'succeeded', read: 13, created: 10, updated: 0, skipped: 3, errors: 0 }, 'three stale records skipped as duplicates')
  t.match(await bySerial('reenrol-1'), [{ serial: 'REENROL-1', os_version: '10.0.22631', source_ids: { intune: 'reenrol-new' } }])
  t.match(await bySerial('BOARD-2'), [{ serial: 'board-2', model: 'Latitude 5440', source_ids: { intune: 'board-new' } }])
  t.match(await bySerial('CAF\u00c9-3'), [{ serial: 'CAF\u00c9-3', source_ids: { intune: 'cafe-now' } }], 'a record that never synced loses')
  t.same(await app.db('integration_run_devices').select('external_id'), [], 'nothing staged is left behind')
})

t.test('Intune: an unchanged re-run writes nothing — no row, audit entry or event', async t => {
  const before = await footprint()
  for (let i = 0; i < 2; i++) {
    const run = await syncToEnd('intune')
    t.match(run, { status: 'succeeded', created: 0, updated: 0, unchanged: 10, skipped: 3 })
    t.same(await footprint(), before)
  }
})

t.test('Intune: the stale record checking in again takes over, once', async t => {
  const stale = intuneFake.devices.find(d => (d as { id: string }).id === 'reenrol-old') as Record<string, unknown>
  stale.lastSyncDateTime = '2026-04-01T08:00:00Z'
  const run = await syncToEnd('intune')
  t.match(run, { status: 'succeeded', updated: 1, skipped: 3 })
  t.match(await bySerial('reenrol-1'), [{ os_version: '10.0.19045', source_ids: { intune: 'reenrol-old' } }])
  const again = await syncToEnd('intune')
  t.match(again, { updated: 0, unchanged: 10 })
})

t.test('Jamf: a serial on a computer and a mobile device, and a repaired Mac, keep the newest record', async t => {
  const run = await syncToEnd('jamf')
  t.match(run, { status: 'succeeded', created: 5, skipped: 2, errors: 0 })
  t.match(await bySerial('C02DUAL'), [{ serial: 'c02dual', model: 'iPad Air (5th generation)', source_ids: { jamf: 'mobile:601' } }])
  t.match(await bySerial('C02LOGIC'), [{ model: 'MacBook Pro (14-inch, 2023)', os_version: '14.5', source_ids: { jamf: 'computer:504' } }])
  const before = await footprint()
  const again = await syncToEnd('jamf')
  t.match(again, { status: 'succeeded', created: 0, updated: 0, unchanged: 5, skipped: 2 })
  t.same(await footprint(), before, 'the unchanged re-run wrote nothing')
})

t.test('Jamf lookup answers with the record that checked in last', async t => {
  const found = await app.integrations.lookup(ws, 'C02LOGIC')
  t.match(found, { pluginId: 'jamf', device: { model: 'MacBook Pro (14-inch, 2023)', externalId: 'computer:504' } })
  const dual = await app.integrations.lookup(ws, 'c02dual')
  t.match(dual, { pluginId: 'jamf', device: { externalId: 'mobile:601' } }, 'the mobile device checked in after the computer')
})
