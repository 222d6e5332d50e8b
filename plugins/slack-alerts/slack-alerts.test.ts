import t from 'tap'
import { ConnectorError, type Notification } from '../../core/sdk.ts'
import { connectorTest } from '../../core/sdk/testing.ts'
import manifest from './manifest.json' with { type: 'json' }
import settingsSchema from './settings.schema.json' with { type: 'json' }
import connector from './index.ts'
import { startFake } from './fake.ts'

const setup = connectorTest({ connector, manifest, settingsSchema, startFake, http: { maxRetries: 2, maxWaitMs: 3000 } })

const request: Notification = {
  event: 'asset_request.created',
  title: 'New request: laptop for Pat Doe',
  text: 'Pat Doe asked for a laptop <urgent> & charger.',
  url: 'https://acme.stocktake.example/requests/42',
  record: { id: '42', category: 'laptop' }
}

t.test('test() posts the harmless test message and reports ok', async t => {
  const { fake, ctx } = await setup(t)
  t.same(await connector.test!(ctx), { ok: true, message: 'Slack accepted the test message: check the channel.' })
  t.same(fake.messages, [{ text: 'Stocktake test message — your Slack alerts are connected.' }])
  t.equal(fake.requests[0].host, 'hooks.slack.com', 'called Slack\'s host, answered by the fake')
  t.match(fake.requests[0].headers['content-type'], /^application\/json/)
})

t.test('a revoked webhook (invalid_token) is an auth failure that does not leak the URL', async t => {
  const { fake, ctx } = await setup(t, { rejectCredentials: true })
  const result = await connector.test!(ctx)
  t.match(result, { ok: false, reason: 'auth', message: /invalid_token/ })
  t.notOk(JSON.stringify(result).includes(new URL(fake.settings.webhookUrl).pathname.split('/')[4]), 'the secret is not in the message')
  t.same(fake.messages, [])
})

t.test('a removed webhook is auth; an archived or deleted channel is config', async t => {
  const removed = await setup(t, {}, { validate: false })
  removed.ctx.settings.webhookUrl = removed.fake.unknownWebhookUrl
  t.match(await connector.test!(removed.ctx), { ok: false, reason: 'auth', message: /no_service/ })
  const archived = await setup(t, { channel: 'archived' })
  t.match(await connector.test!(archived.ctx), { ok: false, reason: 'config', message: /channel_is_archived/ })
  const deleted = await setup(t, { channel: 'deleted' })
  t.match(await connector.test!(deleted.ctx), { ok: false, reason: 'config', message: /channel_not_found/ })
})

t.test('notify posts a Block Kit message with the title, the escaped text and a link', async t => {
  const { fake, ctx } = await setup(t)
  await connector.notify!(ctx, request)
  t.equal(fake.messages.length, 1)
  const [message] = fake.messages
  t.equal(message.text, 'New request: laptop for Pat Doe: Pat Doe asked for a laptop &lt;urgent&gt; &amp; charger.')
  t.same(message.blocks, [
    { type: 'header', text: { type: 'plain_text', text: 'New request: laptop for Pat Doe', emoji: false } },
    { type: 'section', text: { type: 'mrkdwn', text: 'Pat Doe asked for a laptop &lt;urgent&gt; &amp; charger.' } },
    { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Stocktake' }, url: request.url }] },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'Stocktake · asset_request.created' }] }
  ])
})

t.test('notify skips events the workspace did not select (defaults: requests and hardware moves)', async t => {
  const { fake, ctx } = await setup(t)
  await connector.notify!(ctx, { ...request, event: 'software.revoked' })
  t.same(fake.messages, [], 'software.revoked is not selected by default')
  const picky = await setup(t, {}, { settings: { events: ['software.revoked'] }, validate: false })
  await connector.notify!(picky.ctx, { ...request, event: 'software.revoked' })
  t.equal(picky.fake.messages.length, 1)
})

t.test('notify retries a 429 after Retry-After, then succeeds', async t => {
  const { fake, ctx } = await setup(t)
  fake.failNext({ status: 429, body: 'rate_limited', retryAfter: 1 })
  const started = Date.now()
  await connector.notify!(ctx, request)
  t.ok(Date.now() - started >= 900, 'waited for Retry-After')
  t.equal(fake.requests.length, 2)
  t.equal(fake.messages.length, 1)
})

t.test('notify reports Slack outages as a network failure, without the URL', async t => {
  const { fake, ctx } = await setup(t)
  fake.failNext({ status: 500, body: 'rollup_error', times: 5 })
  const err = await connector.notify!(ctx, request).then(() => null, (e: unknown) => e)
  t.ok(err instanceof ConnectorError, 'a ConnectorError')
  t.match(err, { reason: 'network', message: 'Slack answered HTTP 500 after retries.' })
  t.equal(fake.requests.length, 3, 'the first attempt and two retries')
})

t.test('a saved webhook URL on another host is refused before any request, without the URL', async t => {
  const { fake, ctx } = await setup(t, {}, { settings: { webhookUrl: 'https://hooks.evil.example/services/T0/B0/x' }, validate: false })
  const result = await connector.test!(ctx)
  t.same(result, { ok: false, reason: 'config', message: 'Slack cannot connect with its saved settings: Webhook URL must be the incoming-webhook URL Slack shows (https://hooks.slack.com/services/…). Edit them on its card and save.' })
  t.notMatch(JSON.stringify(result), /evil/, 'the secret URL is not repeated')
  t.same(fake.requests, [])
})
