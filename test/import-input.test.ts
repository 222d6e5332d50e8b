// Imports meet the same rules as every other writer: a record with a NUL character or a date
// PostgreSQL has no year for is that record's error, and the rest of its batch is imported.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { until } from './helpers/wait.ts'
import type { Actor } from '../core/audit/index.ts'
import { discoverPlugins, type DiscoveredPlugin } from '../core/integrations/index.ts'
import { ACTIVE, type RunRow } from '../core/integrations/runs.ts'
import { routeToFake, type Connector } from '../core/sdk.ts'
import { startFake } from './fixtures/external-plugin/fake.ts'

const admin: Actor = { type: 'user', id: null, label: 'admin@acme.test' }
const EXTERNAL = fileURLToPath(new URL('./fixtures/external-plugin/', import.meta.url))
const [example] = await discoverPlugins({ builtinDir: null, pluginDirs: [EXTERNAL] })
const variant = (id: string, manifest: Partial<DiscoveredPlugin['manifest']>, connector: Connector): DiscoveredPlugin =>
  ({ ...example, id, manifest: { ...example.manifest, id, name: id, ...manifest }, connector })

const N = '\u0000'
const mdm = variant('dirty-mdm', {}, {
  async * sync () {
    yield {
      type: 'upsert',
      model: 'device',
      records: [
        { externalId: 'ok-1', serial: 'OK-1', name: 'Good laptop', warrantyEnd: '2027-01-31' },
        { externalId: 'nul-name', serial: 'NUL-1', name: `Bad${N}laptop` },
        { externalId: 'nul-spec', serial: 'NUL-2', specifications: { [`c${N}pu`]: 'M3' } },
        { externalId: 'year-0', serial: 'YEAR-0', warrantyEnd: '0000-01-01' },
        { externalId: 'ok-2', serial: 'OK-2', name: 'Good desktop', warrantyEnd: '9999-12-31' }
      ]
    }
  }
})
const hris = variant('dirty-hris', { syncs: [{ id: 'people', model: 'person', mode: 'full' }], permissions: ['person:write'] }, {
  async * sync () {
    yield {
      type: 'upsert',
      model: 'person',
      records: [
        { externalId: 'p1', email: 'ok@acme.test', firstName: 'Ok', startDate: '2024-01-02' },
        { externalId: 'p2', email: 'nul@acme.test', department: `R${N}D` },
        { externalId: 'p3', email: 'zero@acme.test', startDate: '0000-01-01', endDate: '10000-01-01' },
        { externalId: 'p4', email: 'feb@acme.test', endDate: '2026-02-30' },
        { externalId: 'p5', email: 'also-ok@acme.test', lastName: 'Fine' }
      ]
    }
  }
})

const fake = await startFake()
t.teardown(() => fake.close())
const { app, workspace } = await buildTestApp(t, {}, { plugins: [mdm, hris], httpDispatcher: routeToFake(fake.url) })
const ws = await workspace('acme')
for (const plugin of [mdm, hris]) await app.integrations.settings.save(ws.id, admin, plugin, fake.settings, { enabled: true })

async function syncToEnd (pluginId: string): Promise<RunRow> {
  const run = await app.integrations.sync(ws.id, pluginId, {})
  await app.integrations.executeNow(ws.id, run.id)
  return await until(async () => {
    const r = await app.integrations.run(ws.id, run.id)
    return r && !ACTIVE.includes(r.status) && r
  })
}

t.test('devices: a NUL in a name or a specification key, or warranty in year 0000, fails that device only', async t => {
  const run = await syncToEnd('dirty-mdm')
  t.match(run, { created: 2, errors: 3 }, String(run.message))
  const reasons = Object.fromEntries(run.error_details.map(e => [e.externalId, e.reason]))
  t.match(reasons, {
    'nul-name': /name must not contain NUL characters/,
    'nul-spec': /specifications\.c\\u0000pu must not contain NUL characters/,
    'year-0': /warrantyEnd must match format "date"/
  })
  const rows = await app.db('hardware').where({ workspace_id: ws.id }).orderBy('serial').select('serial', 'warranty_end')
  t.same(rows, [{ serial: 'OK-1', warranty_end: '2027-01-31' }, { serial: 'OK-2', warranty_end: '9999-12-31' }], 'the good devices of the batch are imported')
})

t.test('people: a NUL in a department, start and end dates in years 0000 or 10000 or on 30 February fail that person only', async t => {
  const run = await syncToEnd('dirty-hris')
  t.match(run, { created: 2, errors: 3 }, String(run.message))
  const reasons = Object.fromEntries(run.error_details.map(e => [e.externalId, e.reason]))
  t.match(reasons, { p2: /department must not contain NUL/, p3: /startDate must match format "date".*endDate must match format "date"/, p4: /endDate must match format "date"/ })
  const people = await app.db('users').where({ workspace_id: ws.id }).orderBy('email').select('email', 'start_date')
  t.same(people, [{ email: 'also-ok@acme.test', start_date: null }, { email: 'ok@acme.test', start_date: '2024-01-02' }])
})
