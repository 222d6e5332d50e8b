// Migration 019 on integrations that already have tests and syncs behind them: each is judged by
// its newer outcome (a failure needs attention with its reason), and afterwards a plugin may have a
// test beside a sync, never two of either.
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import * as migration from '../migrations/019_connector_state.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const hours = (n: number) => new Date(Date.now() - n * 3_600_000)

t.test('existing integrations are judged by their newer outcome', async t => {
  await migration.down(app.db)
  let migrated = false
  t.teardown(async () => { if (!migrated) await migration.up(app.db) })
  const newerSuccess = hours(1)
  const row = (pluginId: string, values: Record<string, unknown>) => ({ workspace_id: acme.id, plugin_id: pluginId, enabled: true, settings: '{}', ...values })
  await app.db('integrations').insert([
    row('test-failed-last', { last_test_at: hours(1), last_test_ok: false, last_test_message: 'Jamf Pro refused the client ID and secret.', last_sync_at: hours(2), last_sync_ok: true }),
    row('sync-failed-last', { last_test_at: hours(3), last_test_ok: true, last_test_message: 'Connected.', last_sync_at: hours(1), last_sync_ok: false }),
    row('all-well', { last_test_at: hours(2), last_test_ok: true, last_sync_at: newerSuccess, last_sync_ok: true }),
    row('never-tested', {})
  ])
  await migration.up(app.db)
  migrated = true
  const rows = new Map((await app.db('integrations').where({ workspace_id: acme.id })).map(r => [r.plugin_id, r]))
  t.match(rows.get('test-failed-last'), { needs_attention: true, attention_reason: 'Jamf Pro refused the client ID and secret.' })
  t.ok(rows.get('test-failed-last').last_ok_at instanceof Date, 'a sync did succeed before')
  t.match(rows.get('sync-failed-last'), { needs_attention: true, attention_reason: 'The last sync failed.' })
  t.match(rows.get('all-well'), { needs_attention: false, attention_reason: null })
  t.equal(rows.get('all-well').last_ok_at.getTime(), newerSuccess.getTime(), 'last_ok_at: the newer of the two successes')
  t.match(rows.get('never-tested'), { needs_attention: false, attention_reason: null, last_ok_at: null })
})

t.test('a test beside a sync, never two of either', async t => {
  const run = (kind: string, status: string) => ({ workspace_id: acme.id, plugin_id: 'jamf', kind, trigger: 'manual', status })
  await app.db('integration_runs').insert(run('sync', 'retry_scheduled'))
  await app.db('integration_runs').insert(run('test', 'queued'))
  t.pass('a test is queued beside a sync waiting to retry')
  const refusedBy = async (insert: Promise<unknown>) => await insert.then(() => 'inserted', (err: { constraint?: string }) => err.constraint)
  t.equal(await refusedBy(app.db('integration_runs').insert(run('sync', 'queued'))), 'integration_runs_one_active_key', 'a second sync is refused')
  t.equal(await refusedBy(app.db('integration_runs').insert(run('test', 'running'))), 'integration_runs_one_active_test_key', 'a second test is refused')
  const jobs = await app.db('integration_runs').where({ workspace_id: acme.id, plugin_id: 'jamf' }).pluck('job_id')
  t.equal(new Set(jobs).size, 2, 'each run names a job of its own')
})
