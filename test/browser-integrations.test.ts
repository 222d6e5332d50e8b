import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { routeToFake } from '../core/sdk.ts'
import { startFake } from '../plugins/slack-alerts/fake.ts'

t.test('configure Slack from Settings → Integrations in a browser', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const fake = await startFake()
  t.teardown(() => fake.close())
  const { app } = await buildTestApp(t, {}, { httpDispatcher: routeToFake(fake.url) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const access = await grantAdminAccess(app, 'acme', 'admin@acme.test')
  const link = `http://acme.localhost:${port}${new URL(access.signInUrl).pathname}`

  const browser = await launchBrowser(t.teardown)
  /** htmx wires new content up when it settles; until then a button would submit without it. */
  const settled = async () => { await page.waitForFunction(() => document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping, .htmx-request') === null) }
  const page = await browser.newPage()
  page.on('dialog', dialog => { dialog.accept().catch(() => {}) })
  await page.goto(link)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
  await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor()
  await page.getByRole('link', { name: 'Integrations', exact: true }).click()
  await page.getByRole('heading', { name: 'Integrations', exact: true }).waitFor()
  t.equal(new URL(page.url()).pathname, '/settings/integrations')

  // The pill narrows the grid in place and the URL keeps the filter.
  const pills = page.getByRole('navigation', { name: 'Integration categories' })
  await pills.getByRole('link', { name: 'Communication' }).click()
  await page.waitForURL(/\?category=communication$/)
  await page.locator('#integration-card-jira-service-management').waitFor({ state: 'detached' })
  await settled()
  t.equal(await pills.getByRole('link', { name: 'Communication' }).getAttribute('aria-current'), 'true', 'the pill is current')
  t.equal(await page.locator('#integration-card-slack-alerts').count(), 1, 'Slack is still listed')

  // Open the Slack card: a modal dialog with focus inside it.
  await page.getByRole('link', { name: 'Slack', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Slack' })
  await dialog.waitFor()
  await settled()
  t.ok(await dialog.evaluate(d => d.contains(document.activeElement)), 'focus moves into the dialog')

  const webhook = dialog.getByLabel('Webhook URL')
  await webhook.fill('https://example.com/not-slack')
  await dialog.getByRole('button', { name: 'Save changes' }).click()
  await dialog.locator('.field-error', { hasText: 'Webhook URL' }).waitFor()
  await settled()
  t.match(await dialog.locator('.field-error').first().innerText(), /Webhook URL/, 'the inline error names the field')

  await dialog.getByLabel('Webhook URL').fill(fake.settings.webhookUrl)
  await dialog.getByLabel('Enabled').check()
  await dialog.getByRole('button', { name: 'Save changes' }).click()
  await dialog.getByText('Saved.').waitFor()
  await settled()

  await dialog.getByRole('button', { name: 'Test connection' }).click()
  await dialog.getByText(/Test succeeded/).waitFor({ timeout: 45_000 })
  t.ok(fake.messages.length >= 1, 'Slack received the test message')
  await dialog.getByText(/Test succeeded/).scrollIntoViewIfNeeded()
  await page.screenshot({ path: `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/integrations.png`, fullPage: true })

  await dialog.getByRole('button', { name: 'Close' }).click()
  await dialog.waitFor({ state: 'detached' })
  t.equal((await page.locator('#integration-status-slack-alerts .badge').first().innerText()).trim(), 'Connected', 'the Slack badge reads Connected')

  // Esc closes the dialog too.
  await page.getByRole('link', { name: 'Slack', exact: true }).click()
  await dialog.waitFor()
  await settled()
  await page.keyboard.press('Escape')
  await dialog.waitFor({ state: 'detached' })
})
