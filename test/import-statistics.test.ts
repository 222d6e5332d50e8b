// A sync that creates many rows refreshes the table's planner statistics when it ends, so the
// next import looks serials up by index instead of planning for the table as it was before.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import type { Actor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { ACTIVE } from '../core/integrations/runs.ts'
import { routeToFake } from '../core/sdk.ts'
import { startFake } from '../plugins/intune/fake.ts'
import { until } from './helpers/wait.ts'

const admin: Actor = { type: 'user', id: null, label: 'admin@acme.test' }
const [intune] = await discoverPlugins({ builtinDir: null, pluginDirs: [fileURLToPath(new URL('../plugins/intune/', import.meta.url))] })
const fake = await startFake({ fleet: { size: 1500 } })
t.teardown(() => fake.close())
const { app, workspace } = await buildTestApp(t, { STOCKTAKE_WORKER: '0' }, { plugins: [intune], httpDispatcher: routeToFake(fake.url) })
const ws = await workspace('acme')
const estimatedRows = async () => Number((await app.db.raw("SELECT reltuples FROM pg_class WHERE relname = 'hardware'")).rows[0].reltuples)

t.test('after importing 1,500 devices the planner knows the hardware table holds them', async t => {
  t.ok(await estimatedRows() < 1000, 'before: the statistics of an empty table')
  const saved = await app.integrations.settings.save(ws.id, admin, intune, fake.settings, { enabled: true })
  if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
  const { id } = await app.integrations.sync(ws.id, 'intune')
  await app.integrations.executeNow(ws.id, id)
  const run = await until(async () => {
    const r = await app.integrations.run(ws.id, id)
    return r && !ACTIVE.includes(r.status) && r
  })
  t.match(run, { status: 'succeeded', created: 1500 })
  t.ok(await estimatedRows() >= 1400, `after: ${await estimatedRows()} rows estimated`)
})
