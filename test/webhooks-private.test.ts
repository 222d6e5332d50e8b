import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { systemActor } from '../core/audit/index.ts'
import { until } from './helpers/wait.ts'
import { webhookReceiver } from './helpers/webhook-receiver.ts'

// Without STOCKTAKE_WEBHOOK_ALLOW_PRIVATE, a destination that is (or resolves to) a private,
// loopback or link-local address is refused at send time, and nothing reaches it.

const { app, workspace, config } = await buildTestApp(t, {}, { webhookTuning: { retryBaseMs: 100, maxAttempts: 1, timeoutMs: 2000 } })
const alpha = await workspace('alpha')

t.test('private, loopback and link-local destinations are refused when sending', async t => {
  t.equal(config.webhookAllowPrivate, false)
  const receiver = await webhookReceiver(t.teardown)
  const port = new URL(receiver.url).port
  for (const url of [receiver.url, `http://localhost:${port}/hook`, `http://[::1]:${port}/hook`, 'http://169.254.169.254/latest', 'http://10.0.0.1/x', 'http://[::ffff:127.0.0.1]:1/']) {
    const { subscription } = await app.webhooks.create(alpha.id, systemActor, { url, events: ['*'] })
    const ping = await app.webhooks.ping(alpha.id, systemActor, subscription.id)
    const done = await until(async () => {
      const d = await app.webhooks.delivery(alpha.id, subscription.id, ping.id)
      return d.status === 'failed' ? d : null
    })
    t.match(done.last_error, /private, loopback or link-local/, `${url}: ${done.last_error}`)
    t.equal(done.last_status_code, null)
  }
  t.equal(receiver.received.length, 0, 'the receiver got nothing')
})
