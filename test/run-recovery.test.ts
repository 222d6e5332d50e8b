// Sync runs and crashes: counts written with the rows they count, Cancel on the card, Disconnect
// during a run, a run whose process is gone resumed from its checkpoint (or failed with the reason),
// and a long run never taken from a live worker. Heartbeats, leases and sweeps are shortened here.
import t from 'tap'
import { buildApp } from '../core/app.ts'
import { createKnex } from '../core/db/index.ts'
import type { DiscoveredPlugin } from '../core/integrations/index.ts'
import { ACTIVE, type RunRow } from '../core/integrations/runs.ts'
import { buildTestApp, TEST_MASTER_KEY } from './helpers/app.ts'
import { GATED_SETTINGS, Gates, gatedPlugin } from './helpers/gated-plugin.ts'
import { signIn } from './helpers/session.ts'
import { until } from './helpers/wait.ts'
import { systemActor } from '../core/audit/index.ts'

const HX = { 'hx-request': 'true' }
// Margins wide enough for a loaded machine: a live process is never presumed gone here.
const RECOVERY = { heartbeatMs: 100, goneAfterMs: 2000, graceMs: 2500, sweepMs: 200, leaseMs: 2000, renewMs: 200 }
const state = new Gates()
const gated = gatedPlugin('gated', state)
const deaf = gatedPlugin('deaf', state, { deaf: true })
const plugins = [gated, deaf]

const { app, database, config, workspace } = await buildTestApp(t, {}, { plugins, recoveryTuning: RECOVERY })
const acme = await workspace('acme')
const [admin] = await app.db('users').insert({ workspace_id: acme.id, email: 'adam@acme.test', role: 'admin' }).returning('*')
const [employee] = await app.db('users').insert({ workspace_id: acme.id, email: 'eve@acme.test', role: 'employee' }).returning('*')
const session = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: admin.id })
const connect = async (plugin: DiscoveredPlugin) => { await app.integrations.settings.save(acme.id, systemActor, plugin, GATED_SETTINGS, { enabled: true }) }
for (const plugin of plugins) await connect(plugin)

const run = async (id: string) => (await app.integrations.run(acme.id, id))!
const rowsOf = async (pluginId: string) => Number((await app.db('hardware').where({ workspace_id: acme.id, source: pluginId }).count({ n: '*' }))[0].n)
const checkpointOf = async (pluginId: string) => (await app.db('integration_state').where({ workspace_id: acme.id, plugin_id: pluginId }).first())?.checkpoint ?? null
const ended = async (id: string) => await until(async () => { const r = await run(id); return !ACTIVE.includes(r.status) && r }, 20_000)
/** The run holds after page 1 and its checkpoint: what it wrote is committed. */
const heldAfterPage1 = async (pluginId: string) => {
  await state.reached.opened
  await until(async () => (await checkpointOf(pluginId))?.page === 1)
}
const runJob = async (runId: string) => (await app.db.raw("SELECT state, retry_count, output FROM pgboss.job WHERE name = 'integration.run' AND data->>'runId' = ?", [runId])).rows

async function reset (pluginId: string) {
  state.reset()
  await app.db('hardware').where({ workspace_id: acme.id, source: pluginId }).delete()
  await app.db('integration_state').where({ workspace_id: acme.id, plugin_id: pluginId }).delete()
}

t.test('a run\'s counts are written with the rows they count, not after them', async t => {
  await reset('gated')
  const queued = await app.integrations.sync(acme.id, 'gated')
  await heldAfterPage1('gated')
  const held = await run(queued.id)
  t.equal(held.status, 'running')
  t.equal(held.created, await rowsOf('gated'), 'while it runs, the run says as many created as there are rows')
  t.equal(held.created, 0, 'a device sync writes once it has read every page (one serial may come twice)')
  t.equal(held.read, 1)
  state.release.open()
  const done = await ended(queued.id)
  t.match(done, { status: 'succeeded', created: 2, read: 2 })
  t.equal(await rowsOf('gated'), 2)
})

t.test('Cancel on the card stops a running sync, frees its slot at once and keeps what it wrote', async t => {
  await reset('gated')
  const started = await session.post('/settings/integrations/gated/sync', {}, { headers: HX })
  t.equal(started.statusCode, 200)
  const runId = /id="run-([0-9a-f-]{36})"/.exec(started.body)![1]
  t.match(started.body, `hx-post="/settings/integrations/gated/runs/${runId}/cancel"`, 'a pending run offers Cancel')
  await heldAfterPage1('gated')
  const card = await session.get('/settings/integrations/gated', HX)
  t.match(card.body, `id="run-cancel-${runId}"`, 'opening the card shows the run in progress with Cancel')

  const url = `/settings/integrations/gated/runs/${runId}/cancel`
  t.equal((await session.post(url, {}, { headers: HX, csrf: false })).statusCode, 403, 'CSRF token required')
  const employeeSession = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: employee.id })
  t.equal((await employeeSession.post(url, {}, { headers: HX })).statusCode, 403, 'admins only')
  t.equal((await session.post(`/settings/integrations/gated/runs/${crypto.randomUUID()}/cancel`, {}, { headers: HX })).statusCode, 404)

  const cancelled = await session.post(url, {}, { headers: HX })
  t.equal(cancelled.statusCode, 200)
  t.match(cancelled.body, 'Sync stopped. Cancelled by adam@acme.test.')
  t.notMatch(cancelled.body, 'hx-trigger="every 1s"', 'the area stops polling')
  t.match(await run(runId), { status: 'cancelled', message: 'Cancelled by adam@acme.test.', read: 1, created: 0 }, 'cancelled while reading: the register is untouched')
  const [entry] = await app.db('audit_log').where({ workspace_id: acme.id, action: 'integration.run_cancelled' })
  t.match(entry, { actor_label: 'adam@acme.test', target_id: 'gated', details: { run_id: runId, kind: 'sync' } })

  const again = await session.post('/settings/integrations/gated/sync', {}, { headers: HX })
  t.equal(again.statusCode, 200, 'the slot is free at once: a new sync starts')
  await until(() => state.calls[0].signal.aborted, 5000)
  t.pass('the cancelled execution saw its signal abort')
  state.release.open() // the new run reads page 1 again, then page 2
  const newId = /id="run-([0-9a-f-]{36})"/.exec(again.body)![1]
  t.match(await ended(newId), { status: 'succeeded', created: 2 }, 'the new run started from the top: the cancelled one wrote nothing its checkpoint could skip')
  t.same(state.calls.map(c => c.checkpoint), [null, null])
  t.same(await app.db('integration_run_devices').where({ run_id: runId }).select('external_id'), [], 'the cancelled run\'s staged devices are gone')
  t.match(await run(runId), { status: 'cancelled', created: 0 }, 'the cancelled run stays cancelled')
  t.equal(await rowsOf('gated'), 2)

  const late = await session.post(url, {}, { headers: HX })
  t.match(late.body, 'This sync had already ended.')
})

t.test('a plugin that ignores its signal is stopped anyway, and its job ends', async t => {
  await reset('deaf')
  const queued = await app.integrations.sync(acme.id, 'deaf')
  await heldAfterPage1('deaf')
  t.match(await app.integrations.cancel(acme.id, { type: 'user', id: admin.id, label: 'adam@acme.test' }, 'deaf', queued.id), { cancelled: true })
  await until(async () => (await runJob(queued.id))[0]?.state === 'completed', 5000)
  t.pass('the job completed although the plugin never returned')
  t.equal((await run(queued.id)).status, 'cancelled')
})

t.test('Disconnect during a run cancels it; Connect and Sync work again', async t => {
  await reset('gated')
  const queued = await app.integrations.sync(acme.id, 'gated')
  await heldAfterPage1('gated')
  const res = await session.post('/settings/integrations/gated/disconnect', {}, { headers: HX })
  t.equal(res.statusCode, 200)
  t.match(await run(queued.id), { status: 'cancelled', message: 'Cancelled: gated was disconnected by adam@acme.test.' })
  await until(() => state.calls[0].signal.aborted, 5000)
  const [entry] = await app.db('audit_log').where({ workspace_id: acme.id, action: 'integration.disconnected', target_id: 'gated' })
  t.same(entry.details, { cancelled_runs: [queued.id] })

  t.equal((await session.post('/settings/integrations/gated', { ...GATED_SETTINGS, enabled: 'true' }, { headers: HX })).statusCode, 200)
  const again = await session.post('/settings/integrations/gated/sync', {}, { headers: HX })
  t.equal(again.statusCode, 200, 'a sync after Connect is not refused')
  state.release.open()
  const newId = /id="run-([0-9a-f-]{36})"/.exec(again.body)![1]
  t.match(await ended(newId), { status: 'succeeded' })
})

/**
 * A second process on the same database executing a run, which then stops dead: it loses its
 * database (as a killed process does) and never renews its heartbeat or lease again.
 */
async function crashingProcess () {
  const db = createKnex(database.url, { statementCache: 0 })
  const other = await buildApp({
    config: { ...config, runWorker: false }, db, databaseUrl: database.url, sessionSecret: 'test-session-secret-that-is-long-enough', masterKey: TEST_MASTER_KEY, plugins, recoveryTuning: RECOVERY
  })
  await other.ready()
  t.teardown(async () => { await other.close().catch(() => {}) })
  return {
    app: other,
    async crash () { await db.destroy() }
  }
}

t.test('a sync whose process stopped is resumed from its checkpoint within seconds, its counts kept', async t => {
  await reset('gated')
  const other = await crashingProcess()
  const queued = await other.app.integrations.sync(acme.id, 'gated')
  other.app.integrations.executeNow(acme.id, queued.id).catch(() => {})
  await heldAfterPage1('gated')
  const held = await run(queued.id)
  t.match(held, { status: 'running', worker_id: other.app.jobs.workerId, read: 1, created: 0 })
  t.equal(Number((await app.db('integration_run_devices').where({ run_id: queued.id }).count({ n: '*' }))[0].n), 1, 'page 1 is staged')
  const crashedAt = performance.now()
  await other.crash()

  const resumed = await until(async () => { const r = await run(queued.id); return r.attempt === 2 && r }, 10_000)
  t.comment(`resumed ${((performance.now() - crashedAt) / 1000).toFixed(1)} s after its process stopped`)
  // Said while it waits for a worker; a fast worker may have finished it before this poll saw it.
  if (resumed.status === 'queued') t.match(resumed.message, /the worker running it stopped/)
  const done = await ended(queued.id)
  t.match(done, { status: 'succeeded', attempt: 2, created: 2 }, 'the counts of the first attempt are kept')
  t.equal(done.worker_id, app.jobs.workerId, 'finished by the live worker')
  t.equal(await rowsOf('gated'), 2)
  t.same(state.calls.map(c => c.checkpoint), [null, { page: 1 }], 'the second attempt started from the checkpoint')
})

t.test('a preview whose process stopped fails with the reason, and frees the slot', async t => {
  await reset('gated')
  const other = await crashingProcess()
  const queued = await other.app.integrations.sync(acme.id, 'gated', { dryRun: true })
  other.app.integrations.executeNow(acme.id, queued.id).catch(() => {})
  await state.reached.opened
  await until(async () => (await run(queued.id)).read === 1)
  await other.crash()
  const failed = await ended(queued.id)
  t.match(failed, { status: 'failed', message: 'The worker running it stopped.' })
  const [entry] = await app.db('audit_log').where({ workspace_id: acme.id, action: 'integration.previewed' }).orderBy('id', 'desc')
  t.match(entry, { outcome: 'failure', details: { run_id: queued.id, reason: 'worker_stopped' } })
  t.equal(await rowsOf('gated'), 0, 'a preview writes nothing')
  state.release.open()
  const next = await app.integrations.sync(acme.id, 'gated')
  t.match(await ended(next.id), { status: 'succeeded' })
})

t.test('a long sync is never taken from the live worker running it, whatever other workers sweep', async t => {
  await reset('gated')
  const db = createKnex(database.url, { statementCache: 0 })
  const sweeper = await buildApp({
    config, db, databaseUrl: database.url, sessionSecret: 'test-session-secret-that-is-long-enough', masterKey: TEST_MASTER_KEY, plugins, recoveryTuning: RECOVERY
  })
  await sweeper.ready()
  t.teardown(async () => { await sweeper.close(); await db.destroy() })
  const queued = await app.integrations.sync(acme.id, 'gated')
  await heldAfterPage1('gated')
  const runner = (await run(queued.id)).worker_id
  // Longer than a process takes to be found gone, plus the grace for jobs it did not list.
  await new Promise(resolve => setTimeout(resolve, RECOVERY.goneAfterMs + RECOVERY.graceMs + 4 * RECOVERY.sweepMs))
  const still = await run(queued.id)
  t.match(still, { status: 'running', attempt: 1, worker_id: runner })
  t.match(await runJob(queued.id), [{ state: 'active', retry_count: 0 }], 'its job is still active with its worker, never handed back')
  state.release.open()
  t.match(await ended(queued.id), { status: 'succeeded', attempt: 1, created: 2 })
  t.equal(state.calls.length, 1, 'executed once')
})

t.test('the card and Bulk import show a cancelled run as stopped, with what it wrote', async t => {
  const [cancelled] = await app.db('integration_runs').where({ workspace_id: acme.id, plugin_id: 'gated', status: 'cancelled' }).orderBy('created_at').limit(1) as RunRow[]
  const page = await session.get(`/settings/integrations/gated/runs/${cancelled.id}`)
  t.match(page.body, 'Sync stopped. Cancelled by adam@acme.test.')
  // Cancelled while reading, a device sync has written nothing (its staged devices are swept): no counts, no "kept".
  t.match(page.body, 'Nothing was written.')
  t.notMatch(page.body, /<dt>Created<\/dt>/)
  const bulk = await session.get(`/bulk-import/gated/runs/${cancelled.id}`)
  t.match(bulk.body, 'Import stopped. Cancelled by adam@acme.test. Nothing was written.')
})
