import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { routeToFake } from '../core/sdk.ts'
import { RunActiveError } from '../core/integrations/index.ts'
import { systemActor, type Actor } from '../core/audit/index.ts'
import { startFake } from '../plugins/slack-alerts/fake.ts'
import { until } from './helpers/wait.ts'

const admin: Actor = { type: 'user', id: null, label: 'admin@acme.test' }

async function setup (t: Parameters<typeof buildTestApp>[0], fakeOptions = {}) {
  const fake = await startFake(fakeOptions)
  t.teardown(() => fake.close())
  const ctx = await buildTestApp(t, {}, { httpDispatcher: routeToFake(fake.url) })
  const workspace = await ctx.workspace('acme')
  const slack = ctx.app.integrations.plugin('slack-alerts')!
  return { ...ctx, fake, ws: workspace, slack }
}

t.test('Test connection runs as a job against the vendor and records the outcome', async t => {
  const { app, fake, ws, slack } = await setup(t)
  const saved = await app.integrations.settings.save(ws.id, admin, slack, { webhookUrl: fake.settings.webhookUrl }, { enabled: true })
  t.equal(saved.ok, true)

  const run = await app.integrations.test(ws.id, 'slack-alerts')
  t.equal(run.status, 'queued')
  await t.rejects(app.integrations.test(ws.id, 'slack-alerts'), RunActiveError, 'one run at a time per workspace and plugin')
  const done = await until(async () => {
    const r = await app.integrations.run(ws.id, run.id)
    return r && ['succeeded', 'failed'].includes(r.status) && r
  })
  t.equal(done.status, 'succeeded', String(done.message))
  t.equal(fake.messages.length, 1, 'Slack received the test message')

  const row = await app.integrations.settings.get(ws.id, 'slack-alerts')
  t.equal(row?.last_test_ok, true)
  const calls = await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.http_call' })
  t.equal(calls.length, 1)
  t.match(calls[0], { actor_type: 'plugin', actor_id: 'slack-alerts', details: { method: 'POST', host: 'hooks.slack.com', path: '[secret path]', status: 200, attempts: 1, statuses: [200] } })
  t.notMatch(JSON.stringify(await app.db('audit_log').where({ workspace_id: ws.id })), fake.settings.webhookUrl.split('/').pop()!, 'the webhook secret is in no audit entry')
  t.equal(await app.integrations.run('00000000-0000-0000-0000-000000000000', run.id), undefined, 'another workspace cannot see the run')
})

t.test('a rejected credential fails the test with the reason and marks the integration', async t => {
  const { app, fake, ws, slack } = await setup(t, { rejectCredentials: true })
  await app.integrations.settings.save(ws.id, admin, slack, { webhookUrl: fake.settings.webhookUrl }, { enabled: true })
  const run = await app.integrations.test(ws.id, 'slack-alerts')
  const done = await until(async () => {
    const r = await app.integrations.run(ws.id, run.id)
    return r && r.status !== 'queued' && r.status !== 'running' && r
  })
  t.equal(done.status, 'failed')
  t.match(done.message, /token|revoked|invalid/i)
  const row = await app.integrations.settings.get(ws.id, 'slack-alerts')
  t.match(row, { last_test_ok: false, needs_attention: true })
  const audit = await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.tested' }).first()
  t.match(audit, { outcome: 'failure', details: { reason: 'auth' } })
})

t.test('register events are posted to enabled notify plugins that want them, and only those', async t => {
  const { app, fake, ws, slack } = await setup(t)
  await app.integrations.settings.save(ws.id, admin, slack, { webhookUrl: fake.settings.webhookUrl, events: ['hardware.created'] }, { enabled: true })
  await app.registry.hardware.create(ws.id, systemActor, { serial: 'SN-1', name: 'Loaner laptop' })
  const person = await app.registry.people.create(ws.id, systemActor, { email: 'pat@acme.test' })
  await app.registry.people.offboard(ws.id, systemActor, person.id)
  await until(async () => fake.messages.length >= 1)
  await new Promise(resolve => setTimeout(resolve, 1500))
  t.equal(fake.messages.length, 1, 'only the subscribed event was posted')
  t.match(JSON.stringify(fake.messages[0]), /New hardware: Loaner laptop \(ACME-000001\)/)

  await app.integrations.settings.setEnabled(ws.id, admin, slack, false)
  await app.registry.hardware.create(ws.id, systemActor, { serial: 'SN-2', name: 'Second' })
  await new Promise(resolve => setTimeout(resolve, 1500))
  t.equal(fake.messages.length, 1, 'a disabled integration posts nothing')
})

t.test('disconnect deletes settings, secrets, cache and state and audits it', async t => {
  const { app, fake, ws, slack } = await setup(t)
  await app.integrations.settings.save(ws.id, admin, slack, { webhookUrl: fake.settings.webhookUrl }, { enabled: true })
  await app.db('integration_cache').insert({ workspace_id: ws.id, plugin_id: 'slack-alerts', key: 'k', value: '{}', expires_at: app.db.raw("now() + interval '1 hour'") })
  await app.integrations.disconnect(ws, admin, 'slack-alerts')
  t.equal(await app.integrations.settings.get(ws.id, 'slack-alerts'), undefined)
  t.equal((await app.db('integration_cache').where({ workspace_id: ws.id })).length, 0)
  const cards = await app.integrations.cards(ws.id)
  t.match(cards.find(c => c.plugin.id === 'slack-alerts'), { connected: false })
  t.equal(cards.find(c => c.plugin.id === 'jira-service-management')?.connected, false)
  t.ok(await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.disconnected' }).first())
})
