import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, isProblem } from './helpers/api.ts'
import { signIn } from './helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'
import { ValidationError } from '../core/register/index.ts'
import { until } from './helpers/wait.ts'
import { webhookReceiver } from './helpers/webhook-receiver.ts'

// Without STOCKTAKE_WEBHOOK_ALLOW_PRIVATE, a destination that is (or resolves to) a loopback,
// private, link-local or other special-purpose address is refused when the subscription is created
// or its URL changed, and again at send time (DNS can change after creation): nothing reaches it.

const { app, workspace, config } = await buildTestApp(t, {}, { webhookTuning: { retryBaseMs: 100, maxAttempts: 1, timeoutMs: 2000 } })
const alpha = await workspace('alpha')
const receiver = await webhookReceiver(t.teardown)
const port = new URL(receiver.url).port

const REFUSED: Array<[string, RegExp]> = [
  [receiver.url, /^127\.0\.0\.1 is a loopback address/],
  [`http://localhost:${port}/hook`, /^localhost resolves to (127\.0\.0\.1|::1), a loopback address/],
  [`http://[::1]:${port}/hook`, /^::1 is a loopback address/],
  [`http://[::ffff:127.0.0.1]:${port}/`, /^::ffff:7f00:1 is a loopback address/],
  ['http://169.254.169.254/latest', /^169\.254\.169\.254 is a link-local address/],
  ['http://10.0.0.1/x', /^10\.0\.0\.1 is a private \(RFC 1918\) address/],
  ['https://198.18.0.1/x', /^198\.18\.0\.1 is a reserved address/],
  ['https://[64:ff9b::7f00:1]/x', /^64:ff9b::7f00:1 is a NAT64 address/],
  ['https://[2002:7f00:1::]/x', /^2002:7f00:1:: is a 6to4 address/]
]
const REMEDY = /: webhooks are sent only to public addresses \(an operator can allow others with STOCKTAKE_WEBHOOK_ALLOW_PRIVATE=1\)$/

t.test('a refused destination is refused when the subscription is created or changed', async t => {
  t.equal(config.webhookAllowPrivate, false)
  for (const [url, words] of REFUSED) {
    const err = await app.webhooks.create(alpha.id, systemActor, { url, events: ['*'] }).catch((e: unknown) => e)
    t.ok(err instanceof ValidationError, url)
    const [error] = (err as ValidationError).errors
    t.match(error, { field: 'url', rule: 'address' }, url)
    t.match(error.message, words, url)
    t.match(error.message, REMEDY)
  }
  const { subscription } = await app.webhooks.create(alpha.id, systemActor, { url: 'https://hooks.unresolvable.invalid/in', events: ['*'] })
  t.ok(subscription, 'a name that does not resolve (yet) is left to the check at send time')
  await t.rejects(app.webhooks.update(alpha.id, systemActor, subscription.id, { url: `http://localhost:${port}/hook` }), { errors: [{ field: 'url', rule: 'address' }] }, 'a changed URL too')
  t.equal((await app.webhooks.get(alpha.id, subscription.id)).url, 'https://hooks.unresolvable.invalid/in', 'nothing changed')
  await app.webhooks.remove(alpha.id, systemActor, subscription.id)
  t.same(await app.webhooks.list(alpha.id), [], 'nothing else was stored')
})

t.test('the API answers problem+json naming url; the page an inline message', async t => {
  const client = await apiClient(app, alpha.id, ['webhooks:manage'])
  const created = isProblem(t, await client.call('POST', '/api/webhooks', { url: `http://localhost:${port}/hook`, events: ['*'] }), 422, 'url', 'address')
  t.match(created.errors[0].message, /^localhost resolves to/)
  const { subscription } = await app.webhooks.create(alpha.id, systemActor, { url: 'https://hooks.unresolvable.invalid/api', events: ['*'] })
  isProblem(t, await client.call('PATCH', `/api/webhooks/${subscription.id}`, { url: 'http://[::1]/x' }), 422, 'url', 'address')

  const [user] = await app.db('users').insert({ workspace_id: alpha.id, email: 'ada@alpha.test', role: 'admin' }).returning('id')
  const browser = await signIn(app, { slug: 'alpha', workspaceId: alpha.id, userId: user.id })
  const page = await browser.post('/settings/api/webhooks', { url: 'http://10.0.0.1/x', events: ['*'] })
  t.equal(page.statusCode, 422)
  t.match(page.body, /id="new-webhook-url-error">10\.0\.0\.1 is a private \(RFC 1918\) address: webhooks are sent only to public addresses/)
  t.match(page.body, /name="url"[^>]*value="http:\/\/10\.0\.0\.1\/x"/, 'what was typed stays')
  const edit = await browser.post(`/settings/api/webhooks/${subscription.id}`, { url: `http://localhost:${port}/hook`, events: ['*'] })
  t.equal(edit.statusCode, 422)
  t.match(edit.body, /url-error">localhost resolves to/)
  t.equal((await app.webhooks.list(alpha.id)).length, 1, 'only the one stored before')
})

t.test('at send time the address connected to is checked again (a name may resolve elsewhere later)', async t => {
  for (const [url, words] of REFUSED.slice(0, 4)) {
    const { subscription } = await app.webhooks.create(alpha.id, systemActor, { url: 'https://hooks.unresolvable.invalid/later', events: ['*'] })
    // What DNS could do after creation: the stored name now leads to a refused address.
    await app.db('webhook_subscriptions').where({ id: subscription.id }).update({ url })
    const ping = await app.webhooks.ping(alpha.id, systemActor, subscription.id)
    const done = await until(async () => {
      const d = await app.webhooks.delivery(alpha.id, subscription.id, ping.id)
      return d.status === 'failed' ? d : null
    })
    t.match(done.last_error, words, `${url}: ${done.last_error}`)
    t.match(done.last_error, REMEDY)
    t.equal(done.last_status_code, null)
  }
  t.equal(receiver.received.length, 0, 'the receiver got nothing')
})
