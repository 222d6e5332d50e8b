import t from 'tap'
import { createHmac } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, isProblem, json } from './helpers/api.ts'
import { until } from './helpers/wait.ts'
import { webhookReceiver } from './helpers/webhook-receiver.ts'

// /api/webhooks from a third party's side: subscribe with a least-privilege token, keep the
// secret from the 201, verify what arrives, read the log, redeliver.

const { app, workspace } = await buildTestApp(t, { STOCKTAKE_WEBHOOK_ALLOW_PRIVATE: '1', STOCKTAKE_API_RATE_LIMIT: '100000' },
  { webhookTuning: { retryBaseMs: 200, maxAttempts: 2, timeoutMs: 2000 } })
const acme = await workspace('acme')
const client = await apiClient(app, acme.id, ['webhooks:manage', 'hardware:write'])

t.test('subscribe: 201 with the secret once; the record never shows it again; the event arrives signed', async t => {
  const receiver = await webhookReceiver(t.teardown)
  const res = await client.call('POST', '/api/webhooks', { url: receiver.url, events: ['hardware.created'] })
  t.equal(res.statusCode, 201, res.body)
  const created = json(res)
  t.match(created, { id: String, url: receiver.url, events: ['hardware.created'], active: true, disabled_reason: null, secret: /^whsec_/ })
  t.equal(res.headers.location, `/api/webhooks/${created.id}`)
  const read = json(await client.call('GET', `/api/webhooks/${created.id}`))
  t.notOk('secret' in read, 'a read has no secret')
  t.notOk(JSON.stringify(json(await client.call('GET', '/api/webhooks'))).includes(created.secret), 'nor has the list')

  const hw = json(await client.call('POST', '/api/hardware', { serial: 'API-WH-1', name: 'Laptop' }))
  await until(() => receiver.received.length >= 1)
  const [got] = receiver.received
  t.match(new Webhook(created.secret).verify(got.body, got.headers as Record<string, string>), { type: 'hardware.created', data: { id: hw.id, serial: 'API-WH-1' } })
  t.equal(got.headers['x-itam-signature'], `sha256=${createHmac('sha256', created.secret).update(got.body).digest('hex')}`)

  const log = json(await client.call('GET', `/api/webhooks/${created.id}/deliveries`))
  t.match(log, { data: [{ event_type: 'hardware.created', event_id: got.headers['webhook-id'] }], next: null })
  const audit = await app.db('audit_log').where({ workspace_id: acme.id, action: 'webhook.created', target_id: created.id }).first()
  t.match(audit, { actor_type: 'token', target_label: receiver.url })
})

t.test('bad input is a problem naming the field; unknown fields are refused', async t => {
  isProblem(t, await client.call('POST', '/api/webhooks', { url: 'ftp://example.test', events: ['*'] }), 422, 'url', 'format')
  isProblem(t, await client.call('POST', '/api/webhooks', { url: 'https://example.test/in', events: ['hardware.exploded'] }), 400, 'events.0', 'enum')
  isProblem(t, await client.call('POST', '/api/webhooks', { url: 'https://example.test/in' }), 400, 'events', 'required')
  isProblem(t, await client.call('POST', '/api/webhooks', { url: 'https://example.test/in', events: ['*'], secret: 'mine' }), 400, 'secret', 'unknown')
  isProblem(t, await client.call('PATCH', '/api/webhooks/not-a-uuid', { active: false }), 404)
  t.same(json(await client.call('GET', '/api/webhooks')).data.filter((s: { url: string }) => s.url.includes('example.test')), [], 'nothing was stored')
})

t.test('PATCH, test ping, redeliver, delivery paging, DELETE', async t => {
  const receiver = await webhookReceiver(t.teardown, n => n === 1 ? 500 : 200)
  const { id, secret } = json(await client.call('POST', '/api/webhooks', { url: receiver.url, events: ['*'], active: false }))
  const patched = json(await client.call('PATCH', `/api/webhooks/${id}`, { events: ['user.offboarded'], active: true }))
  t.match(patched, { events: ['user.offboarded'], active: true })
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, action: 'webhook.updated', target_id: id }).first(), { changes: { events: { old: ['*'], new: ['user.offboarded'] } } })

  const ping = await client.call('POST', `/api/webhooks/${id}/test`)
  t.equal(ping.statusCode, 202)
  const delivery = json(ping)
  t.match(delivery, { event_type: 'test.ping', status: 'pending', attempts: 0 })
  const failed = await until(async () => {
    const d = json(await client.call('GET', `/api/webhooks/${id}/deliveries/${delivery.id}`))
    return d.status === 'failed' || d.status === 'succeeded' ? d : null
  })
  t.match(failed, { status: 'succeeded', attempts: 2, last_status_code: 200 }, 'retried once after the 500')

  const again = await client.call('POST', `/api/webhooks/${id}/deliveries/${delivery.id}/redeliver`)
  t.equal(again.statusCode, 202)
  await until(() => receiver.received.length >= 3)
  t.same(new Set(receiver.received.map(r => r.headers['webhook-id'])).size, 1, 'the same webhook-id each time')
  new Webhook(secret).verify(receiver.received[2].body, receiver.received[2].headers as Record<string, string>)

  for (let i = 0; i < 3; i++) await client.call('POST', `/api/webhooks/${id}/test`)
  const first = json(await client.call('GET', `/api/webhooks/${id}/deliveries?limit=2`))
  t.equal(first.data.length, 2)
  t.type(first.next, 'string')
  const second = json(await client.call('GET', `/api/webhooks/${id}/deliveries?limit=2&cursor=${first.next}`))
  t.equal(second.data.length, 2)
  t.equal(second.next, null)
  t.equal(new Set([...first.data, ...second.data].map(d => d.id)).size, 4, 'four deliveries, none twice')
  isProblem(t, await client.call('GET', `/api/webhooks/${id}/deliveries?cursor=garbage`), 422, 'cursor')

  const gone = await client.call('DELETE', `/api/webhooks/${id}`)
  t.equal(gone.statusCode, 204)
  isProblem(t, await client.call('GET', `/api/webhooks/${id}`), 404)
  t.equal((await app.db('webhook_deliveries').where({ workspace_id: acme.id, subscription_id: id })).length, 0, 'its log went with it')
})
