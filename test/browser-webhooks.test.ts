import t from 'tap'
import { Webhook } from 'standardwebhooks'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { until } from './helpers/wait.ts'
import { webhookReceiver } from './helpers/webhook-receiver.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'

t.test('an admin subscribes a receiver, copies the secret, sends a test and sees it delivered', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const { app } = await buildTestApp(t, { STOCKTAKE_WEBHOOK_ALLOW_PRIVATE: '1' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const origin = `http://acme.localhost:${port}`
  const admin = await grantAdminAccess(app, 'acme', 'admin@acme.test', 'admin')
  const receiver = await webhookReceiver(t.teardown)

  const browser = await launchBrowser(t.teardown)
  const page = await browser.newPage()
  await page.goto(`${origin}${new URL(admin.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.goto(`${origin}/settings/api`)
  await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor()

  await page.getByLabel('Receiver URL').fill('not a url')
  await page.getByRole('button', { name: 'Create webhook' }).click()
  await page.locator('.field-error', { hasText: 'Enter the receiver\'s address' }).waitFor() // beside the field (the error summary repeats it)
  t.equal(await page.getByLabel('Receiver URL').getAttribute('aria-invalid'), 'true', 'the URL is marked invalid')

  await page.getByLabel('Receiver URL').fill(receiver.url)
  await page.getByRole('button', { name: 'Create webhook' }).click()
  const secret = await page.getByLabel('The signing secret').inputValue()
  t.match(secret, /^whsec_/, 'the secret is shown, decoded, once')

  await page.getByRole('link', { name: receiver.url }).click()
  await page.getByRole('heading', { name: 'Deliveries' }).waitFor()
  await page.getByRole('button', { name: 'Send test' }).click()
  await page.getByText('A test.ping event is on its way').waitFor()
  await until(() => receiver.received.length >= 1)
  t.match(new Webhook(secret).verify(receiver.received[0].body, receiver.received[0].headers as Record<string, string>), { type: 'test.ping' })
  await until(async () => {
    await page.reload()
    return (await page.getByText('Delivered').count()) > 0 ? true : null
  })
  t.ok(await page.getByRole('button', { name: 'Redeliver' }).isVisible(), 'a delivered event can be sent again')
  await page.screenshot({ path: `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/webhook-log.png`, fullPage: true })
})
