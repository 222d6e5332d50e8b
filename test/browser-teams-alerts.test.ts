import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { routeToFake } from '../core/sdk.ts'
import { startFake } from '../plugins/teams-alerts/fake.ts'

t.test('configure Microsoft Teams from Settings → Integrations in a browser', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const fake = await startFake()
  t.teardown(() => fake.close())
  const { app } = await buildTestApp(t, {}, { httpDispatcher: routeToFake(fake.url) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const access = await grantAdminAccess(app, 'acme', 'admin@acme.test')
  const link = `http://acme.localhost:${port}${new URL(access.signInUrl).pathname}`

  const browser = await launchBrowser(t.teardown)
  const settled = async () => { await page.waitForFunction(() => document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping, .htmx-request') === null) }
  const page = await browser.newPage()
  await page.goto(`${link}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.goto(`http://acme.localhost:${port}/settings/integrations?category=communication`)

  await page.getByRole('link', { name: 'Microsoft Teams', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Microsoft Teams' })
  await dialog.waitFor()
  await settled()

  // A Slack (or any other) URL is refused on the field, by name and rule.
  await dialog.getByLabel('Webhook URL').fill('https://hooks.slack.com/services/T0/B0/x')
  await dialog.getByRole('button', { name: 'Save changes' }).click()
  await dialog.locator('.field-error', { hasText: 'Webhook URL' }).waitFor()
  await settled()
  t.match(await dialog.locator('.field-error').first().innerText(), /Webhook URL must be the HTTP POST URL of a Teams Workflows webhook trigger/)
  await dialog.locator('.field-error').first().scrollIntoViewIfNeeded()
  await page.screenshot({ path: `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/teams-alerts-error.png` })

  await dialog.getByLabel('Webhook URL').fill(fake.settings.webhookUrl)
  await dialog.getByLabel('Enabled').check()
  await dialog.getByRole('button', { name: 'Save changes' }).click()
  await dialog.getByText('Saved.').waitFor()
  await settled()
  t.notOk((await dialog.innerHTML()).includes(new URL(fake.settings.webhookUrl).searchParams.get('sig')!), 'the saved URL is not shown again')

  await dialog.getByRole('button', { name: 'Test connection' }).click()
  await dialog.getByText(/Test succeeded/).waitFor({ timeout: 45_000 })
  t.equal(fake.cards.length, 1, 'Teams received the harmless test card')
  await page.screenshot({ path: `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/teams-alerts.png`, fullPage: true })

  await dialog.getByRole('button', { name: 'Close' }).click()
  await dialog.waitFor({ state: 'detached' })
  t.equal((await page.locator('#integration-status-teams-alerts .badge').first().innerText()).trim(), 'Connected', 'the Teams badge reads Connected')
})
