// Connector state that tells the truth, over real HTTP: a connector whose test or run fails needs
// attention, with the reason in words, on its card and on Bulk import, until a test or run succeeds;
// a sync waiting to retry says why and when, does not block Test connection, and can be cancelled
// (its pg-boss job with it); after the last attempt the banner says it failed and why.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import { pollRun, retryDueNow } from './helpers/wait.ts'
import { closedPort } from './helpers/vendor-server.ts'
import { systemActor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'
import { MAX_ATTEMPTS } from '../core/integrations/sync-run.ts'
import { startFake } from './fixtures/external-plugin/fake.ts'

const HX = { 'hx-request': 'true' }
const FROM_GRID = { ...HX, 'hx-current-url': 'http://acme.localhost/settings/integrations' }
const EXTERNAL = fileURLToPath(new URL('./fixtures/external-plugin/', import.meta.url))
const [example] = await discoverPlugins({ builtinDir: null, pluginDirs: [EXTERNAL] })
const jamf = (await discoverPlugins()).find(p => p.id === 'jamf')!

const fake = await startFake()
t.teardown(() => fake.close())
fake.devices.push({ id: 'd1', serial: 'SN-1', model: 'MacBook Air', owner: null, updatedAt: '2026-01-01T00:00:00Z' })
const { app, workspace } = await buildTestApp(t, {}, { plugins: [example, jamf] })
const acme = await workspace('acme')
await allowPrivateHosts(app.db, acme.id, systemActor, ['127.0.0.1']) // the fake is on loopback, as an on-premises server
const [admin] = await app.db('users').insert({ workspace_id: acme.id, email: 'adam@acme.test', role: 'admin' }).returning('*')
const session = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: admin.id })

const card = (html: string, id: string) => /<li id="integration-card-[^"]+"[\s\S]*?<\/li>/g.exec(html.slice(html.indexOf(`<li id="integration-card-${id}"`)))?.[0] ?? ''
const source = (html: string, id: string) => html.slice(html.indexOf(`id="bulk-import-${id}"`), html.indexOf('</section>', html.indexOf(`id="bulk-import-${id}"`)))
const grid = async () => (await session.get('/settings/integrations')).body
const bulkImport = async () => (await session.get('/bulk-import')).body

t.test('a test that cannot resolve the vendor needs attention, on the card and on Bulk import', async t => {
  const saved = await app.integrations.settings.save(acme.id, systemActor, jamf,
    { tenantUrl: 'https://acme-jamf.invalid', clientId: '8f1c2b4e-5d6a-4f7b-9c8d-0e1f2a3b4c5d', clientSecret: 'not-a-real-secret' }, { enabled: true })
  t.ok(saved.ok)
  t.match(card(await grid(), 'jamf'), '>Not tested yet<', 'saved and enabled is not yet Connected')
  t.match(source(await bulkImport(), 'jamf'), '>Configured<')

  const started = await session.post('/settings/integrations/jamf/test', {}, { headers: HX })
  t.equal(started.statusCode, 200)
  const done = await pollRun(session, started.body, 'jamf')
  t.match(done, 'Test failed. Jamf Pro could not be reached (acme-jamf.invalid not found).')

  const jamfCard = card(await grid(), 'jamf')
  t.match(jamfCard, '<span class="badge badge-warning">Needs attention</span>')
  t.match(jamfCard, '<p class="integration-attention">Jamf Pro could not be reached (acme-jamf.invalid not found)</p>')
  t.notMatch(jamfCard, '>Connected<')
  const jamfSource = source(await bulkImport(), 'jamf')
  t.match(jamfSource, '<span class="badge badge-warning">Needs attention</span>')
  t.match(jamfSource, 'Jamf Pro could not be reached (acme-jamf.invalid not found)')
  t.notMatch(jamfSource, '>Configured<', 'not "Configured" above a broken connector')
  t.match(await app.db('integrations').where({ workspace_id: acme.id, plugin_id: 'jamf' }).first(),
    { needs_attention: true, attention_reason: 'Jamf Pro could not be reached (acme-jamf.invalid not found)' }, 'kept in the database: it survives a restart')
})

t.test('a refused connection needs attention; the next test that succeeds clears it', async t => {
  const port = await closedPort()
  await app.integrations.settings.save(acme.id, systemActor, example, { ...fake.settings, baseUrl: `http://127.0.0.1:${port}` }, { enabled: true })
  const failed = await pollRun(session, (await session.post('/settings/integrations/acme-inventory/test', {}, { headers: HX })).body, 'acme-inventory')
  t.match(failed, `Test failed. Acme Inventory (example) could not be reached (127.0.0.1:${port} refused the connection).`)
  const finished = /hx-get="([^"]+)"/.exec((await session.post('/settings/integrations/acme-inventory/test', {}, { headers: HX })).body)![1]
  await pollRun(session, `hx-get="${finished}"`, 'acme-inventory')
  const fromGrid = await session.get(finished, FROM_GRID)
  t.match(fromGrid.body, /<li id="integration-card-acme-inventory"[^>]*hx-swap-oob="true"[\s\S]*Needs attention[\s\S]*refused the connection/, 'the finished run updates the card behind the modal')

  await app.integrations.settings.save(acme.id, systemActor, example, fake.settings, { enabled: true })
  const passed = await pollRun(session, (await session.post('/settings/integrations/acme-inventory/test', {}, { headers: HX })).body, 'acme-inventory')
  t.match(passed, 'Test succeeded.')
  const cleared = card(await grid(), 'acme-inventory')
  t.match(cleared, '<span class="badge badge-success">Connected</span>')
  t.notMatch(cleared, 'Needs attention')
  t.match(source(await bulkImport(), 'acme-inventory'), '>Configured<')
})

t.test('a sync waiting to retry: the wait in words, Test connection not blocked, Cancel cancels its retry job', async t => {
  const port = await closedPort()
  await app.integrations.settings.save(acme.id, systemActor, example, { ...fake.settings, baseUrl: `http://127.0.0.1:${port}` }, { enabled: true })
  const auditedBefore = (await app.db('audit_log').max('id as id').first())!.id
  const started = await session.post('/settings/integrations/acme-inventory/sync', {}, { headers: HX })
  const url = /hx-get="([^"]+)"/.exec(started.body)![1]
  const runId = url.split('/').pop()!
  let waiting = ''
  for (let i = 0; i < 300 && !waiting.includes('Sync waiting'); i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
    waiting = (await session.get(url, HX)).body
  }
  const run = await app.integrations.run(acme.id, runId)
  t.match(run, { status: 'retry_scheduled', attempt: 2 })
  const at = run!.retry_at!.toISOString()
  t.match(waiting, `Sync waiting: Acme Inventory (example) could not be reached (127.0.0.1:${port} refused the connection); trying again at <time datetime="${at}" data-local-time>${at.slice(11, 16)} UTC</time>.`)
  t.match(waiting, 'Cancel<span class="visually-hidden"> the sync</span>')
  const calls = await app.db('audit_log').where({ workspace_id: acme.id, action: 'integration.http_call' }).where('id', '>', auditedBefore)
  t.equal(calls.length, 1, 'one audit entry for the call, not one per retry')
  t.match(calls[0].details, { host: `127.0.0.1:${port}`, path: '/v1/devices', status: null, attempts: 5, statuses: [null, null, null, null, null], error: /ECONNREFUSED/ })
  t.equal(calls[0].outcome, 'failure')
  t.match(card(await grid(), 'acme-inventory'), /Needs attention[\s\S]*refused the connection\); the sync will try again by itself/)

  // Test connection is not blocked by the waiting sync.
  const test = await session.post('/settings/integrations/acme-inventory/test', {}, { headers: HX })
  t.equal(test.statusCode, 200, 'no 409: a test runs beside a waiting sync')
  t.match(await pollRun(session, test.body, 'acme-inventory'), 'Test failed.')
  const modal = (await session.get('/settings/integrations/acme-inventory', HX)).body
  t.match(modal, new RegExp(`id="integration-sync-acme-inventory"[^>]*>\\s*<div class="run-result" id="run-${runId}"`), 'the waiting sync keeps its own area in the modal')

  const job = async () => (await app.db.raw('SELECT state FROM pgboss.job WHERE id = ?', [run!.job_id])).rows[0]?.state
  t.equal(await job(), 'created', 'the retry is a job waiting for its time')
  const cancelled = await session.post(`${url}/cancel`, {}, { headers: HX })
  t.equal(cancelled.statusCode, 200)
  t.match(cancelled.body, 'Sync stopped. Cancelled by adam@acme.test.')
  t.equal(await job(), 'cancelled', 'its pg-boss job is cancelled with it: the retry never starts')
  await retryDueNow(app.db, acme.id, runId)
  await app.integrations.executeNow(acme.id, runId)
  t.match(await app.integrations.run(acme.id, runId), { status: 'cancelled', attempt: 2 }, 'and nothing can run it any more')
  const audit = await app.db('audit_log').where({ workspace_id: acme.id, action: 'integration.run_cancelled' }).orderBy('id', 'desc').first()
  t.match(audit.details, { run_id: runId, was: 'waiting to retry' })
})

t.test('after the last attempt the banner says the sync failed and why, with no counts of nothing', async t => {
  const run = await app.integrations.sync(acme.id, 'acme-inventory')
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    await retryDueNow(app.db, acme.id, run.id)
    await app.integrations.executeNow(acme.id, run.id)
  }
  t.match(await app.integrations.run(acme.id, run.id), { status: 'failed', attempt: MAX_ATTEMPTS })
  const banner = (await session.get(`/settings/integrations/acme-inventory/runs/${run.id}`, HX)).body
  t.match(banner, /role="alert">Sync failed\. Acme Inventory \(example\) could not be reached \(127\.0\.0\.1:\d+ refused the connection\)\. Nothing was written\.<\/p>/)
  t.notMatch(banner, '<dt>Errors</dt>', 'never "failed" above "Errors 0"')
  const page = source(await bulkImport(), 'acme-inventory')
  t.match(page, /Import failed: Acme Inventory \(example\) could not be reached \(127\.0\.0\.1:\d+ refused the connection\)\. Nothing was written\./)
  t.notMatch(page, '<dt>Errors</dt>')
})

t.test('a card that is not connected offers no Disconnect, Sync now or Preview changes', async t => {
  await app.integrations.settings.save(acme.id, systemActor, example, fake.settings, { enabled: false })
  const disabled = (await session.get('/settings/integrations/acme-inventory', HX)).body
  t.notMatch(disabled, '>Sync now</button>')
  t.notMatch(disabled, '>Preview changes</button>')
  t.match(disabled, '>Disconnect</button>', 'saved settings can still be disconnected')
  t.match(disabled, 'Sync now and Preview changes are offered once the settings are saved with Enabled ticked.')
  await app.integrations.settings.save(acme.id, systemActor, example, fake.settings, { enabled: true })
  const enabled = (await session.get('/settings/integrations/acme-inventory', HX)).body
  t.match(enabled, '>Sync now</button>')
  t.match(enabled, '>Preview changes</button>', 'renamed: not to be confused with the Preview badge')
  await app.integrations.disconnect(acme, systemActor, 'acme-inventory')
  const none = (await session.get('/settings/integrations/acme-inventory', HX)).body
  t.notMatch(none, '>Disconnect</button>')
  t.notMatch(none, '>Sync now</button>')
  t.match(none, '>Test connection</button>')
})
