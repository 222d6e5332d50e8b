import t from 'tap'
import { Webhook } from 'standardwebhooks'
import { buildTestApp } from './helpers/app.ts'
import { followRedirect, signIn } from './helpers/session.ts'
import { until } from './helpers/wait.ts'
import { webhookReceiver } from './helpers/webhook-receiver.ts'
import { systemActor } from '../core/audit/index.ts'
import type { Role } from '../core/auth/roles.ts'

// Settings → API & webhooks, the webhooks part, as an admin without JavaScript uses it.

const { app, workspace } = await buildTestApp(t, { STOCKTAKE_WEBHOOK_ALLOW_PRIVATE: '1' }, { webhookTuning: { retryBaseMs: 100, maxAttempts: 2, timeoutMs: 2000 } })
const acme = await workspace('acme')
const other = await workspace('other')

async function addUser (workspaceId: string, role: Role, email: string) {
  const [row] = await app.db('users').insert({ workspace_id: workspaceId, email, role }).returning('*')
  return row as { id: string }
}
const admin = await addUser(acme.id, 'admin', 'ada@acme.test')
const employee = await addUser(acme.id, 'employee', 'eve@acme.test')
const otherAdmin = await addUser(other.id, 'admin', 'oz@other.test')
const as = (user: { id: string }, slug = 'acme', workspaceId = acme.id) => signIn(app, { slug, workspaceId, userId: user.id })
// Handlebars writes the base64 padding as &#x3D; (the browser reads it back as =).
const SECRET = /whsec_[A-Za-z0-9+/]{43}(?:=|&#x3D;)/g

t.test('create: inline errors keep what was typed; then the secret is shown once and the webhook listed', async t => {
  const browser = await as(admin)
  const empty = await browser.get('/settings/api')
  t.match(empty.body, 'No webhooks yet.')
  t.match(empty.body, /value="\*" checked/, 'All events is ticked by default')

  const bad = await browser.post('/settings/api/webhooks', { url: 'ftp://files.example.test', events: [] })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /id="new-webhook-url-error">Enter the receiver&#x27;s address/)
  t.match(bad.body, /id="new-webhook-events-error">Tick at least one event/)
  t.match(bad.body, /name="url"[^>]*value="ftp:\/\/files.example.test"/)
  t.equal((await app.webhooks.list(acme.id)).length, 0, 'nothing stored')

  const receiver = await webhookReceiver(t.teardown)
  const res = await followRedirect(browser, await browser.post('/settings/api/webhooks', { url: receiver.url, events: ['hardware.created', 'hardware.assigned'] }))
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const secrets = (res.body.match(SECRET) ?? []).map(s => s.replace('&#x3D;', '='))
  t.equal(secrets.length, 1, 'the secret is on the page once')
  const [subscription] = await app.webhooks.list(acme.id)
  t.same(subscription.events, ['hardware.created', 'hardware.assigned'])
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, action: 'webhook.created' }).first(), { actor_id: admin.id })

  const list = await browser.get('/settings/api')
  t.notMatch(list.body, secrets[0].slice(0, 40), 'never shown again')
  t.match(list.body, `href="/settings/api/webhooks/${subscription.id}"`)
  t.match(list.body, /<span class="badge">hardware.created<\/span>/)

  await app.registry.hardware.create(acme.id, systemActor, { serial: 'PG-WH-1', name: 'Laptop' })
  await until(() => receiver.received.length >= 1)
  new Webhook(secrets[0]).verify(receiver.received[0].body, receiver.received[0].headers as Record<string, string>)
  t.pass('the shown secret verifies the delivery')
})

t.test('a subscription\'s page: edit, Send test, the log, Redeliver, switch off and on, delete', async t => {
  const browser = await as(admin)
  const receiver = await webhookReceiver(t.teardown, n => n === 1 ? 502 : 200)
  const { subscription } = await app.webhooks.create(acme.id, systemActor, { url: receiver.url, events: ['*'] })
  const page = `/settings/api/webhooks/${subscription.id}`
  t.match((await browser.get(page)).body, 'Nothing sent yet.')

  const invalid = await browser.post(page, { url: '', events: ['user.offboarded'] })
  t.equal(invalid.statusCode, 422)
  t.match(invalid.body, /value="user.offboarded" checked/, 'keeps the ticks')
  const saved = await browser.post(page, { url: receiver.url, events: ['user.offboarded'] })
  t.equal(saved.statusCode, 303)
  t.same((await app.webhooks.get(acme.id, subscription.id)).events, ['user.offboarded'])

  t.equal((await browser.post(`${page}/test`, {})).statusCode, 303)
  const delivered = await until(async () => {
    const body = (await browser.get(page)).body
    return body.includes('Delivered') ? body : null
  })
  t.match(delivered, '<code>test.ping</code>')
  t.match(delivered, /<td>2<\/td>/, 'two attempts: a 502, then a 200')
  t.match(delivered, 'HTTP 200')
  const [delivery] = (await app.webhooks.deliveries(acme.id, subscription.id)).data
  t.match(delivered, `action="${page}/deliveries/${delivery.id}/redeliver"`)
  t.equal((await browser.post(`${page}/deliveries/${delivery.id}/redeliver`, {})).statusCode, 303)
  await until(() => receiver.received.length >= 3)
  t.match((await browser.get(page)).body, 'is being sent again, with the same webhook-id')

  t.equal((await browser.post(`${page}/active`, { active: 'false' })).statusCode, 303)
  t.match((await browser.get(page)).body, 'No events are sent to it.')
  t.equal((await browser.post(`${page}/active`, { active: 'true' })).statusCode, 303)
  t.ok((await app.webhooks.get(acme.id, subscription.id)).active)

  t.equal((await browser.post(`${page}/delete`, {})).statusCode, 303)
  t.equal((await browser.get(page)).statusCode, 404)
})

t.test('a webhook Stocktake switched off is flagged on both pages, with the reason', async t => {
  const browser = await as(admin)
  const { subscription } = await app.webhooks.create(acme.id, systemActor, { url: 'https://hooks.example.test/down', events: ['*'] })
  await app.db('webhook_subscriptions').where({ workspace_id: acme.id, id: subscription.id })
    .update({ active: false, disabled_reason: 'Switched off after failing for 72 hours without a success (last: HTTP 500).' })
  t.match((await browser.get('/settings/api')).body, /1 webhook was switched off after failing for days/)
  const detail = (await browser.get(`/settings/api/webhooks/${subscription.id}`)).body
  t.match(detail, /role="alert">Switched off: Switched off after failing for 72 hours/)
  await app.webhooks.remove(acme.id, systemActor, subscription.id)
})

t.test('only admins; another workspace\'s webhook is not found', async t => {
  const { subscription } = await app.webhooks.create(acme.id, systemActor, { url: 'https://hooks.example.test/x', events: ['*'] })
  const staff = await as(employee)
  t.equal((await staff.get(`/settings/api/webhooks/${subscription.id}`)).statusCode, 403)
  t.equal((await staff.post('/settings/api/webhooks', { url: 'https://hooks.example.test/y', events: ['*'] })).statusCode, 403)
  const outsider = await as(otherAdmin, 'other', other.id)
  t.equal((await outsider.get(`/settings/api/webhooks/${subscription.id}`)).statusCode, 404)
  t.equal((await outsider.post(`/settings/api/webhooks/${subscription.id}/delete`, {})).statusCode, 404)
  t.equal((await outsider.post(`/settings/api/webhooks/${subscription.id}/test`, {})).statusCode, 404)
  t.ok(await app.webhooks.get(acme.id, subscription.id), 'still there')
})
