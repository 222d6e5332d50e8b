import t, { type Test } from 'tap'
import { createHmac } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { buildTestApp } from './helpers/app.ts'
import { until } from './helpers/wait.ts'
import { webhookReceiver, type Received } from './helpers/webhook-receiver.ts'
import { systemActor } from '../core/audit/index.ts'
import { NotFoundError } from '../core/register/index.ts'
import { signatureHeaders } from '../core/webhooks/index.ts'

// Deliveries end to end: a register change → outbox → one delivery per matching subscription →
// a signed POST to a real local receiver, retried with (shortened) exponential backoff.

const { app, workspace } = await buildTestApp(t, { STOCKTAKE_WEBHOOK_ALLOW_PRIVATE: '1' }, { webhookTuning: { retryBaseMs: 200, maxAttempts: 3, timeoutMs: 2000 } })
const alpha = await workspace('alpha')
const bravo = await workspace('bravo')
let n = 0
const serial = () => `WH-${++n}`

/** Both signatures of a received request, checked as a receiver would. */
function verify (t: Test, secret: string, got: Received) {
  const payload = new Webhook(secret).verify(got.body, got.headers as Record<string, string>) as { id: string }
  t.equal(payload.id, got.headers['webhook-id'], 'standardwebhooks verifies it; webhook-id is the event id')
  const expected = `sha256=${createHmac('sha256', secret).update(got.body).digest('hex')}`
  t.equal(got.headers['x-itam-signature'], expected, 'X-Itam-Signature is the hex HMAC of the raw body keyed by the secret as shown')
}

t.test('the signature headers match the standardwebhooks package and refuse a tampered body', async t => {
  const secret = 'whsec_' + Buffer.alloc(24, 3).toString('base64')
  const body = '{"a":1}'
  const headers = signatureHeaders(secret, 'msg_1', body)
  t.same(new Webhook(secret).verify(body, headers), { a: 1 })
  t.throws(() => new Webhook(secret).verify('{"a":2}', headers), 'a changed body is refused')
  t.throws(() => new Webhook(secret).verify(body, signatureHeaders(secret, 'msg_1', body, Math.floor(Date.now() / 1000) - 3600)), 'an old timestamp is refused (replay)')
})

t.test('an event reaches every matching subscription once, signed; others are left out', async t => {
  const receiver = await webhookReceiver(t.teardown)
  const all = await app.webhooks.create(alpha.id, systemActor, { url: receiver.url, events: ['*'] })
  const hardwareOnly = await app.webhooks.create(alpha.id, systemActor, { url: receiver.url + '?h', events: ['hardware.created'] })
  const other = await app.webhooks.create(alpha.id, systemActor, { url: receiver.url + '?o', events: ['user.offboarded'] })
  const stored = await app.db('webhook_subscriptions').where({ workspace_id: alpha.id, id: all.subscription.id }).first()
  t.notOk(JSON.stringify(stored).includes(all.secret.slice(6)), 'the secret is stored encrypted')
  t.match(all.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'whsec_ + base64 of 32 bytes')

  const hw = await app.registry.hardware.create(alpha.id, systemActor, { serial: serial(), name: 'Laptop' })
  await until(() => receiver.received.length >= 2)
  await new Promise(resolve => setTimeout(resolve, 500))
  t.equal(receiver.received.length, 2, 'one delivery per matching subscription, none to the user.offboarded one')
  const bySub = new Map([[all.subscription.id, all.secret], [hardwareOnly.subscription.id, hardwareOnly.secret]])
  t.equal((await app.db('webhook_deliveries').where({ workspace_id: alpha.id }).whereIn('subscription_id', [...bySub.keys()])).length, 2)
  // Each request verifies with one of the two secrets.
  for (const got of receiver.received) {
    const ok = [...bySub.values()].filter(secret => { try { new Webhook(secret).verify(got.body, got.headers as Record<string, string>); return true } catch { return false } })
    t.equal(ok.length, 1, 'verifies with exactly its subscription\'s secret')
    verify(t, ok[0], got)
    const body = JSON.parse(got.body)
    t.match(body, { type: 'hardware.created', workspace: { id: alpha.id, slug: 'alpha' }, data: { id: hw.id } })
    t.same(Object.keys(body).sort(), ['created_at', 'data', 'id', 'type', 'workspace'])
  }
  t.same((await app.webhooks.deliveries(alpha.id, other.subscription.id)).data, [], 'no delivery for an unsubscribed event')
  await app.events.dispatch(alpha.id)
  t.equal((await app.db('webhook_deliveries').where({ workspace_id: alpha.id })).length, 2, 'a repeated dispatch adds no delivery')
  for (const s of [all, hardwareOnly, other]) await app.webhooks.remove(alpha.id, systemActor, s.subscription.id)
})

t.test('a receiver that fails twice then succeeds gets the event once as a success, after two failed attempts', async t => {
  const receiver = await webhookReceiver(t.teardown, count => count <= 2 ? 503 : 200)
  const { subscription, secret } = await app.webhooks.create(alpha.id, systemActor, { url: receiver.url, events: ['hardware.created'] })
  await app.registry.hardware.create(alpha.id, systemActor, { serial: serial(), name: 'Retry' })
  const [delivery] = await until(async () => {
    const { data: list } = await app.webhooks.deliveries(alpha.id, subscription.id)
    return list[0]?.status === 'succeeded' ? list : null
  })
  t.equal(receiver.received.length, 3)
  t.same(receiver.received.map(r => r.status), [503, 503, 200], 'twice failed, once succeeded')
  t.equal(new Set(receiver.received.map(r => r.headers['webhook-id'])).size, 1, 'the same webhook-id on every attempt')
  for (const got of receiver.received) verify(t, secret, got)
  t.match(delivery, { attempts: 3, last_status_code: 200, last_error: null, response_excerpt: 'ok', next_attempt_at: null })
  t.ok(delivery.delivered_at)
  t.equal((await app.webhooks.get(alpha.id, subscription.id)).failing_since, null, 'a success ends the failing run')
  await app.webhooks.remove(alpha.id, systemActor, subscription.id)
})

t.test('a delivery that keeps failing is marked failed; a subscription failing for 3 days is disabled; redeliver', async t => {
  let up = false
  const receiver = await webhookReceiver(t.teardown, () => up ? 200 : 500)
  const { subscription, secret } = await app.webhooks.create(alpha.id, systemActor, { url: receiver.url, events: ['*'] })
  await app.registry.hardware.create(alpha.id, systemActor, { serial: serial(), name: 'Down' })
  const [failed] = await until(async () => {
    const { data: list } = await app.webhooks.deliveries(alpha.id, subscription.id)
    return list[0]?.status === 'failed' ? list : null
  })
  t.match(failed, { attempts: 3, last_status_code: 500, last_error: 'HTTP 500' })
  t.equal(Buffer.byteLength(failed.response_excerpt ?? ''), 1024, 'the response excerpt is cut at 1 KiB')
  t.equal(receiver.received.length, 3)
  t.ok((await app.webhooks.get(alpha.id, subscription.id)).active, 'still active: it has not failed for days yet')

  // Three days of failures, simulated through failing_since; the next failure switches it off.
  await app.db('webhook_subscriptions').where({ workspace_id: alpha.id, id: subscription.id }).update({ failing_since: app.db.raw("now() - interval '3 days 1 minute'") })
  await app.webhooks.redeliver(alpha.id, systemActor, subscription.id, failed.id)
  const disabled = await until(async () => {
    const s = await app.webhooks.get(alpha.id, subscription.id)
    return s.active ? null : s
  })
  t.match(disabled.disabled_reason, /failing for 72 hours/)

  // Fixed and switched on again: redeliver sends the same event, same webhook-id.
  up = true
  await app.webhooks.update(alpha.id, systemActor, subscription.id, { active: true })
  const before = receiver.received.length
  await until(async () => (await app.webhooks.delivery(alpha.id, subscription.id, failed.id)).status !== 'pending' && receiver.received.length > before ? true : null)
  await app.webhooks.redeliver(alpha.id, systemActor, subscription.id, failed.id)
  const done = await until(async () => {
    const d = await app.webhooks.delivery(alpha.id, subscription.id, failed.id)
    return d.status === 'succeeded' ? d : null
  })
  t.equal(done.last_status_code, 200)
  const last = receiver.received[receiver.received.length - 1]
  verify(t, secret, last)
  t.equal(last.headers['webhook-id'], failed.event_id, 'redelivered with the event id')
  t.same((await app.webhooks.get(alpha.id, subscription.id)).failing_since, null)
  await app.webhooks.remove(alpha.id, systemActor, subscription.id)
})

t.test('the events of one record arrive in order, even when an earlier one needs retries', async t => {
  // The first request fails: the created event is retried, and the updates wait for it.
  const receiver = await webhookReceiver(t.teardown, count => count === 1 ? 500 : 200)
  const { subscription } = await app.webhooks.create(alpha.id, systemActor, { url: receiver.url, events: ['*'] })
  const hw = await app.registry.hardware.create(alpha.id, systemActor, { serial: serial(), name: 'Ordered' })
  for (const name of ['Ordered 2', 'Ordered 3', 'Ordered 4']) await app.registry.hardware.update(alpha.id, systemActor, hw.id, { name })
  await until(async () => (await app.db('webhook_deliveries').where({ workspace_id: alpha.id, subscription_id: subscription.id, status: 'succeeded' })).length === 4 ? true : null)
  const successes = receiver.received.filter(r => r.status === 200).map(r => JSON.parse(r.body))
  t.same(successes.map(b => b.type), ['hardware.created', 'hardware.updated', 'hardware.updated', 'hardware.updated'])
  t.same(successes.slice(1).map(b => b.data.name), ['Ordered 2', 'Ordered 3', 'Ordered 4'], 'updates in the order they were made')
  t.equal(receiver.received[0].status, 500, 'the first attempt failed and nothing overtook its retry')
  await app.webhooks.remove(alpha.id, systemActor, subscription.id)
})

t.test('test.ping reaches one subscription, signed', async t => {
  const receiver = await webhookReceiver(t.teardown)
  const { subscription, secret } = await app.webhooks.create(alpha.id, systemActor, { url: receiver.url, events: ['user.offboarded'] })
  const other = await app.webhooks.create(alpha.id, systemActor, { url: receiver.url + '?other', events: ['*'] })
  const ping = await app.webhooks.ping(alpha.id, systemActor, subscription.id)
  await until(() => receiver.received.length >= 1)
  await new Promise(resolve => setTimeout(resolve, 300))
  t.equal(receiver.received.length, 1, 'only the one subscription')
  verify(t, secret, receiver.received[0])
  t.match(JSON.parse(receiver.received[0].body), { id: ping.event_id, type: 'test.ping', workspace: { id: alpha.id }, data: { subscription_id: subscription.id } })
  await app.webhooks.remove(alpha.id, systemActor, subscription.id)
  await app.webhooks.remove(alpha.id, systemActor, other.subscription.id)
})

t.test('tenancy: another workspace\'s subscription or delivery is not found', async t => {
  const { subscription } = await app.webhooks.create(alpha.id, systemActor, { url: 'https://example.test/hook', events: ['*'] })
  const ping = await app.webhooks.ping(alpha.id, systemActor, subscription.id)
  await t.rejects(app.webhooks.get(bravo.id, subscription.id), NotFoundError)
  await t.rejects(app.webhooks.update(bravo.id, systemActor, subscription.id, { active: false }), NotFoundError)
  await t.rejects(app.webhooks.remove(bravo.id, systemActor, subscription.id), NotFoundError)
  await t.rejects(app.webhooks.ping(bravo.id, systemActor, subscription.id), NotFoundError)
  await t.rejects(app.webhooks.deliveries(bravo.id, subscription.id), NotFoundError)
  await t.rejects(app.webhooks.redeliver(bravo.id, systemActor, subscription.id, ping.id), NotFoundError)
  await t.rejects(app.webhooks.get(alpha.id, 'not-a-uuid'), NotFoundError)
  t.same(await app.webhooks.list(bravo.id), [])
  await app.registry.hardware.create(bravo.id, systemActor, { serial: serial(), name: 'B' })
  await app.events.dispatch(bravo.id)
  t.equal((await app.db('webhook_deliveries').where({ workspace_id: bravo.id })).length, 0, 'bravo\'s events never reach alpha\'s subscriptions')
  await app.webhooks.remove(alpha.id, systemActor, subscription.id)
})

t.test('validation', async t => {
  for (const [input, field] of [[{ url: 'ftp://x', events: ['*'] }, 'url'], [{ url: 'https://u:p@x.test', events: ['*'] }, 'url'],
    [{ url: 'https://x.test', events: [] }, 'events'], [{ url: 'https://x.test', events: ['hardware.exploded'] }, 'events']] as const) {
    await t.rejects(app.webhooks.create(alpha.id, systemActor, input), { errors: [{ field }] })
  }
})
