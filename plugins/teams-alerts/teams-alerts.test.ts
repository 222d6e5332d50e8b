import t from 'tap'
import { ConnectorError, HostNotAllowedError, type Notification } from '../../core/sdk.ts'
import { connectorTest } from '../../core/sdk/testing.ts'
import manifest from './manifest.json' with { type: 'json' }
import settingsSchema from './settings.schema.json' with { type: 'json' }
import connector from './index.ts'
import { cardProblem, startFake } from './fake.ts'
import { cardMessage, notificationMessage } from './message.ts'

const setup = connectorTest({ connector, manifest, settingsSchema, startFake, http: { maxRetries: 2, maxWaitMs: 3000 } })

const request: Notification = {
  event: 'asset_request.created',
  title: 'New request: laptop for Pat Doe',
  text: 'Pat Doe asked for a **laptop** <urgent> & [charger](https://evil.example).',
  url: 'https://acme.stocktake.example/requests/42',
  record: { id: '42', category: 'laptop' }
}

const signature = (url: string) => new URL(url).searchParams.get('sig')!

t.test('test() posts a harmless card; 202 with an empty body is success', async t => {
  const { fake, ctx } = await setup(t)
  t.same(await connector.test!(ctx), { ok: true, message: 'Teams accepted the test message: check the channel (a workflow can take a minute to post).' })
  t.equal(fake.cards.length, 1)
  t.match(fake.cards[0], { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'RichTextBlock', inlines: [{ text: 'Stocktake test message — your Teams alerts are connected.' }] }] })
  t.match(fake.requests[0].host, /\.environment\.api\.powerplatform\.com(:443)?$/, 'called Microsoft\'s host, answered by the fake')
  t.match(fake.requests[0].headers['content-type'], /^application\/json/)
  t.same(JSON.parse(fake.requests[0].body).type, 'message')
})

t.test('the older *.logic.azure.com trigger URL is accepted and posted to', async t => {
  const { fake, ctx } = await setup(t)
  const legacy = await setup(t, {}, { settings: { webhookUrl: fake.logicAppsWebhookUrl } })
  legacy.ctx.settings.webhookUrl = legacy.fake.logicAppsWebhookUrl
  t.same(await connector.test!(legacy.ctx), await connector.test!(ctx), 'the same answer as on the Power Platform host')
  t.match(legacy.fake.requests[0].host, /\.logic\.azure\.com(:443)?$/)
  t.equal(legacy.fake.cards.length, 1)
})

t.test('notify posts an Adaptive Card 1.5 naming the record, its text as written, and a link', async t => {
  const { fake, ctx } = await setup(t)
  await connector.notify!(ctx, request)
  t.same(fake.cards, [{
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    body: [
      { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'New request: laptop for Pat Doe', size: 'Medium', weight: 'Bolder' }] },
      { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: request.text }] },
      { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'Stocktake · asset_request.created', size: 'Small', isSubtle: true }] }
    ],
    msteams: { width: 'Full' },
    actions: [{ type: 'Action.OpenUrl', title: 'Open in Stocktake', url: request.url }]
  }])
})

t.test('an event whose text only repeats its title shows it once', async t => {
  const { fake, ctx } = await setup(t)
  await connector.notify!(ctx, { ...request, text: request.title })
  t.equal(JSON.stringify(fake.cards[0]).split(request.title).length - 1, 1)
})

t.test('long text is shortened and a card without a link has no actions; both stay valid cards', async t => {
  const { fake, ctx } = await setup(t)
  await connector.notify!(ctx, { ...request, title: 'T'.repeat(400), text: 'x'.repeat(30_000), url: undefined })
  const [card] = fake.cards as Array<{ body: Array<{ inlines: Array<{ text: string }> }>, actions?: unknown }>
  t.equal(card.body[0].inlines[0].text.length, 150)
  t.equal(card.body[1].inlines[0].text.length, 2000)
  t.equal(card.actions, undefined)
})

t.test('the fake fails the run of a malformed card (as Teams does, after 202), and close() reports it', async t => {
  t.equal(cardProblem(notificationMessage(request)), null, 'our card is valid')
  const bad = cardMessage([{ type: 'TextBlock' }])
  t.match(cardProblem(bad), /not a valid Adaptive Card: .*\/body\/0 must have required property 'text'/, 'a TextBlock without text')
  t.match(cardProblem(cardMessage([{ type: 'Paragraph', text: 'x' }])), /not a valid Adaptive Card/, 'an unknown element')
  const withUnknownProperty = cardMessage([])
  withUnknownProperty.attachments[0].content.colour = 'red'
  t.match(cardProblem(withUnknownProperty), /not a valid Adaptive Card: \/ must NOT have additional properties \(colour\)/, 'an unknown card property, named')
  const tooNew = cardMessage([])
  tooNew.attachments[0].content.version = '1.6'
  t.match(cardProblem(tooNew), /up to version 1\.5/)
  t.match(cardProblem(bad.attachments[0].content), /card at the root/, 'a card at the root of the body')

  const { fake, ctx } = await setup(t)
  const res = await ctx.http.request({ method: 'POST', url: ctx.settings.webhookUrl, json: bad, expect: [202] })
  t.equal(res.status, 202, 'the trigger accepts it, as Teams does')
  t.same(fake.cards, [])
  t.equal(fake.failedRuns.length, 1)
  await t.rejects(fake.close(), /the Teams workflow failed 1 run\(s\): the card is not a valid Adaptive Card/, 'an unread failed run fails the test')
  fake.failedRuns.length = 0
})

t.test('the fake refuses a body that is not JSON with 400 InvalidRequestContent, as the trigger does', async t => {
  const { fake, ctx } = await setup(t)
  const res = await ctx.http.request<{ error: { code: string } }>({ method: 'POST', url: ctx.settings.webhookUrl, form: { text: 'hello' }, expect: [400] })
  t.equal(res.body.error.code, 'InvalidRequestContent')
  t.same(fake.cards, [])
})

t.test('a wrong signature is auth (401), without the signature in the message', async t => {
  const { fake, ctx } = await setup(t, { rejectCredentials: true })
  const result = await connector.test!(ctx)
  t.match(result, { ok: false, reason: 'auth', message: /DirectApiInvalidAuthorizationSignature/ })
  t.notOk(JSON.stringify(result).includes(signature(fake.settings.webhookUrl)), 'the signature is not in the message')
  t.same(fake.cards, [])
})

t.test('a flow only signed-in users may trigger is auth (401 DirectApiAuthorizationRequired)', async t => {
  const { ctx } = await setup(t, { trigger: 'tenant' })
  t.match(await connector.test!(ctx), { ok: false, reason: 'auth', message: /DirectApiAuthorizationRequired\)\. Set "Who can trigger the flow" to Anyone/ })
})

t.test('a flow limited to specific users is permission (403)', async t => {
  const { ctx } = await setup(t, { flow: 'specific-users' })
  t.same(await connector.test!(ctx), { ok: false, reason: 'permission', message: 'Microsoft refused the post: the workflow lets only specific people trigger it, or a policy of your organisation blocks it (HTTP 403 AuthorizationFailed).' })
})

t.test('a deleted workflow (404) and a turned-off one are config failures that say what to do', async t => {
  const deleted = await setup(t, { flow: 'deleted' })
  t.match(await connector.test!(deleted.ctx), { ok: false, reason: 'config', message: /WorkflowNotFound\): it was deleted/ })
  const unknown = await setup(t)
  unknown.ctx.settings.webhookUrl = unknown.fake.unknownWebhookUrl
  t.match(await connector.test!(unknown.ctx), { ok: false, reason: 'config', message: /WorkflowNotFound/ })
  const off = await setup(t, { flow: 'off' })
  t.same(await connector.test!(off.ctx), { ok: false, reason: 'config', message: 'The Teams workflow is turned off (WorkflowTriggerIsNotEnabled). Turn it on in Teams → Workflows, or ask who suspended it.' })
  const err = await connector.notify!(off.ctx, request).then(() => null, (e: unknown) => e)
  t.ok(err instanceof ConnectorError, 'notify throws a ConnectorError')
  t.same(off.fake.cards, [])
})

t.test('notify skips events the workspace did not select (defaults: requests and hardware moves)', async t => {
  const { fake, ctx } = await setup(t)
  await connector.notify!(ctx, { ...request, event: 'software.revoked' })
  t.same(fake.cards, [], 'software.revoked is not selected by default')
  const picky = await setup(t, {}, { settings: { events: ['software.revoked'] } })
  await connector.notify!(picky.ctx, { ...request, event: 'software.revoked' })
  t.equal(picky.fake.cards.length, 1)
})

t.test('notify retries a 429 after Retry-After, then succeeds', async t => {
  const { fake, ctx } = await setup(t)
  fake.failNext({ status: 429, retryAfter: 1 })
  const started = Date.now()
  await connector.notify!(ctx, request)
  t.ok(Date.now() - started >= 900, 'waited for Retry-After')
  t.equal(fake.requests.length, 2)
  t.equal(fake.cards.length, 1)
})

t.test('throttling that outlasts the retries is a network failure, without the URL', async t => {
  const { fake, ctx } = await setup(t)
  fake.failNext({ status: 429, retryAfter: 0, times: 5 })
  const err = await connector.notify!(ctx, request).then(() => null, (e: unknown) => e)
  t.ok(err instanceof ConnectorError, 'a ConnectorError')
  t.match(err, { reason: 'network', message: 'Microsoft answered HTTP 429 after retries.' })
  t.equal(fake.requests.length, 3, 'the first attempt and two retries')
})

t.test('a saved webhook URL on another host is refused before any request, without the URL', async t => {
  const { fake, ctx } = await setup(t, {}, { settings: { webhookUrl: 'https://prod-27.westeurope.logic.azure.com.evil.example/workflows/abc/triggers/manual/paths/invoke?sig=secretSIG' }, validate: false })
  const result = await connector.test!(ctx)
  t.match(result, { ok: false, reason: 'config', message: /^Microsoft Teams cannot connect with its saved settings: Webhook URL must be the HTTP POST URL of a Teams Workflows webhook trigger/ })
  t.notMatch(JSON.stringify(result), /evil|secretSIG/, 'the secret URL is not repeated')
  t.same(fake.requests, [])
})

t.test('ctx.http reaches only Microsoft\'s trigger hosts (the manifest\'s allowedHosts)', async t => {
  const { fake, ctx } = await setup(t)
  const refused = [
    'https://prod-27.westeurope.logic.azure.com.evil.example/workflows/a/triggers/manual/paths/invoke?sig=x',
    'https://environment.api.powerplatform.com/powerautomate/automations/direct/workflows/a/triggers/manual/paths/invoke?sig=x',
    'https://flow.microsoft.com.evil.example/x',
    'https://hooks.slack.com/services/T0/B0/x'
  ]
  for (const url of refused) {
    await t.rejects(ctx.http.request({ method: 'POST', url, json: {} }), HostNotAllowedError, new URL(url).host)
  }
  t.same(fake.requests, [], 'nothing was sent')
})

t.test('the settings accept only Microsoft\'s trigger URLs with a signature', async t => {
  const { fake } = await setup(t)
  const bad = ['https://example.com/workflows/abc/triggers/manual/paths/invoke?sig=x', fake.settings.webhookUrl.replace(/&sig=[^&]+/, ''), 'https://acme.webhook.office.com/webhookb2/abc']
  for (const webhookUrl of bad) {
    await t.rejects(setup(t, {}, { settings: { webhookUrl } }), /webhookUrl must be the HTTP POST URL/, webhookUrl.slice(0, 40))
  }
})
