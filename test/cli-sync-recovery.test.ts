// kill -9 of `npx stocktake sync` in the middle of a run, with no server running: the run is left
// "running" by a process that is gone. The next `stocktake sync` is not refused: the run is
// recovered (at once when that process opens the embedded database itself; once the dead one's
// heartbeat lapses on PostgreSQL), resumed and followed to the end.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { launch, runToEnd } from './helpers/process.ts'
import { killHard, serverDatabase } from './helpers/server-process.ts'
import { until } from './helpers/wait.ts'
import { startFake } from './fixtures/external-plugin/fake.ts'
import { loadConfig } from '../core/config.ts'
import { startRuntime } from '../core/runtime.ts'
import { ensureWorkspace } from '../core/tenancy/index.ts'
import { systemActor } from '../core/audit/index.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'

t.setTimeout(300_000)
const DEVICES = 120

t.test('a sync killed mid-run is resumed by the next stocktake sync and completes', async t => {
  const fake = await startFake()
  t.teardown(() => fake.close())
  for (let i = 1; i <= DEVICES; i++) fake.devices.push({ id: `d${i}`, serial: `KILL-${i}`, model: 'MacBook Air', owner: null, updatedAt: '2026-01-01T00:00:00Z' })
  const plugin = fileURLToPath(new URL('./fixtures/external-plugin/', import.meta.url))
  const database = await serverDatabase(t, { STOCKTAKE_PLUGIN_PATHS: plugin })
  const cli = (args: string[]) => runToEnd('node', ['scripts/stocktake.js', ...args], database.env)
  // Set up in this process (what create-admin and integration set do), to spare two CLI starts.
  const setup = await startRuntime({ ...loadConfig({ ...database.env, LOG_LEVEL: 'silent' }), runWorker: false }, { logger: false })
  const { workspace } = await ensureWorkspace(setup.db, 'acme')
  await allowPrivateHosts(setup.db, workspace.id, systemActor, [new URL(fake.url).hostname]) // the fake is on loopback
  const saved = await setup.app.integrations.settings.save(workspace.id, systemActor, setup.app.integrations.plugin('acme-inventory')!, fake.settings, { enabled: true })
  t.ok(saved.ok)
  await setup.close()

  const first = launch('node', ['scripts/stocktake.js', 'sync', 'acme-inventory', '--workspace', 'acme'], database.env)
  t.teardown(() => { if (first.child.exitCode === null) first.child.kill('SIGKILL') })
  await first.waitFor(/Syncing Acme Inventory/, 90_000)
  await until(() => fake.pagesServed >= 10, 60_000)
  await killHard(first)
  const pagesBefore = fake.pagesServed
  t.ok(pagesBefore < DEVICES / 2, `killed mid-run (${pagesBefore} of ${DEVICES / 2} pages read)`)
  const left = await database.read(db => db('integration_runs').first('id', 'status', 'attempt'))
  t.match(left, { status: 'running', attempt: 1 }, 'the killed process left its run running')

  const second = await cli(['sync', 'acme-inventory', '--workspace', 'acme'])
  t.equal(second.code, 0, second.output)
  t.match(second.output, `is already in progress (run ${left.id}); following it`)
  const summary = JSON.parse(second.output.trim().split('\n').at(-1)!)
  t.match(summary, { run: left.id, status: 'succeeded', created: DEVICES })
  const { rows, run } = await database.read(async db => ({
    rows: Number((await db('hardware').count({ n: '*' }))[0].n),
    run: await db('integration_runs').where({ id: left.id }).first()
  }))
  t.equal(rows, DEVICES, 'every device once')
  t.match(run, { status: 'succeeded', attempt: 2, created: DEVICES }, 'resumed as a second attempt of the same run')
})
