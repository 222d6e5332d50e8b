// Microsoft Teams alerts through the real app: saved settings (encrypted), a register event, the
// notify job, and a card the fake checked against the Adaptive Card 1.5 schema; the audit of the
// call keeps neither the trigger's path nor its signature.
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { routeToFake } from '../core/sdk.ts'
import { workspaceUrl } from '../core/config.ts'
import { systemActor, type Actor } from '../core/audit/index.ts'
import { startFake } from '../plugins/teams-alerts/fake.ts'
import { until } from './helpers/wait.ts'

const admin: Actor = { type: 'user', id: null, label: 'admin@acme.test' }

t.test('a register event reaches the Teams channel as a valid card naming the record with a link', async t => {
  const fake = await startFake()
  t.teardown(() => fake.close())
  const { app, workspace } = await buildTestApp(t, {}, { httpDispatcher: routeToFake(fake.url) })
  const ws = await workspace('acme')
  const teams = app.integrations.plugin('teams-alerts')!
  await app.integrations.settings.save(ws.id, admin, teams, { webhookUrl: fake.settings.webhookUrl, events: ['hardware.created'] }, { enabled: true })
  const sig = new URL(fake.settings.webhookUrl).searchParams.get('sig')!
  const stored = await app.db('integrations').where({ workspace_id: ws.id, plugin_id: 'teams-alerts' }).first()
  t.notOk(JSON.stringify(stored).includes(sig), 'the URL is stored encrypted')

  await app.registry.hardware.create(ws.id, systemActor, { serial: 'SN-TEAMS-1', name: 'Loaner laptop' })
  await until(async () => fake.cards.length >= 1)
  const card = JSON.stringify(fake.cards[0])
  t.equal(card.match(/New hardware: Loaner laptop \(ACME-000001\)/g)?.length, 1, 'the card names the record, once')
  const [action] = (fake.cards[0] as { actions: Array<{ type: string, url: string }> }).actions
  t.same(action, { type: 'Action.OpenUrl', title: 'Open in Stocktake', url: workspaceUrl(app.config, 'acme') }, 'and links to Stocktake (the workspace: the core\'s notification URL)')
  t.same(fake.failedRuns, [], 'the flow posted it (a valid Adaptive Card 1.5)')

  await until(async () => (await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.http_call' })).length >= 1)
  const calls = await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.http_call' })
  t.match(calls[0], { actor_id: 'teams-alerts', details: { method: 'POST', path: '[secret path]', status: 202 } })
  t.notOk(JSON.stringify(calls).includes(sig), 'the audit keeps no signature')
})
