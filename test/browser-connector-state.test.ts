// In a browser: a connector whose Test connection fails shows Needs attention with the reason on
// its card and on Bulk import; an import waiting to retry says why and when (in the browser's time
// zone) and is cancelled from the page; results land in view where the admin clicked.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { closedPort } from './helpers/vendor-server.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { systemActor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'

const shots = process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'
const ZONE = 'Asia/Kolkata' // UTC+5:30: a local time that cannot be mistaken for UTC

t.test('a broken connector needs attention, and its waiting import is cancelled', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const [example] = await discoverPlugins({ builtinDir: null, pluginDirs: [fileURLToPath(new URL('./fixtures/external-plugin/', import.meta.url))] })
  const jamf = (await discoverPlugins()).find(p => p.id === 'jamf')!
  const { app } = await buildTestApp(t, {}, { plugins: [example, jamf] })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const access = await grantAdminAccess(app, 'acme', 'admin@acme.test')
  const ws = access.workspace
  await allowPrivateHosts(app.db, ws.id, systemActor, ['127.0.0.1'])
  await app.integrations.settings.save(ws.id, systemActor, jamf,
    { tenantUrl: 'https://acme-jamf.invalid', clientId: '8f1c2b4e-5d6a-4f7b-9c8d-0e1f2a3b4c5d', clientSecret: 'not-a-real-secret' }, { enabled: true })
  const nothing = await closedPort()
  await app.integrations.settings.save(ws.id, systemActor, example, { baseUrl: `http://127.0.0.1:${nothing}`, apiKey: 'k' }, { enabled: true })

  const browser = await launchBrowser(t.teardown, { timezoneId: ZONE, viewport: { width: 1280, height: 640 } })
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('console', message => { if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text()) })
  page.on('response', response => { if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) errors.push(`${response.status()} ${response.url()}`) })
  const settled = async () => { await page.waitForFunction(() => document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping, .htmx-request') === null) }
  page.on('dialog', dialog => { dialog.accept().catch(() => {}) })
  await page.goto(`http://acme.localhost:${port}${new URL(access.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()

  await page.goto(`http://acme.localhost:${port}/settings/integrations`)
  const card = page.locator('#integration-card-jamf')
  t.equal((await card.locator('.badge').first().innerText()).trim(), 'Not tested yet')
  await page.getByRole('link', { name: 'Jamf Pro', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Jamf Pro' })
  await dialog.waitFor()
  await settled()
  t.equal(await dialog.getByRole('button', { name: 'Preview changes' }).count(), 1, 'the button is "Preview changes"')
  await dialog.getByRole('button', { name: 'Test connection' }).click()
  const failed = dialog.getByText('Test failed. Jamf Pro could not be reached (acme-jamf.invalid not found).')
  await failed.waitFor({ timeout: 45_000 })
  await settled()
  const inView = await failed.evaluate(el => {
    const box = el.getBoundingClientRect()
    const frame = (el.closest('dialog') ?? document.documentElement).getBoundingClientRect()
    return box.top >= frame.top && box.bottom <= frame.bottom && box.bottom <= window.innerHeight
  })
  t.ok(inView, 'the result is scrolled into view where the admin clicked')
  await page.screenshot({ path: `${shots}/connector-test-failed.png` })
  await dialog.getByRole('button', { name: 'Close' }).click()
  await dialog.waitFor({ state: 'detached' })
  t.equal((await card.locator('.badge').first().innerText()).trim(), 'Needs attention', 'the card behind the modal says so at once')
  t.equal((await card.locator('.integration-attention').innerText()).trim(), 'Jamf Pro could not be reached (acme-jamf.invalid not found)')
  await card.scrollIntoViewIfNeeded()
  await page.screenshot({ path: `${shots}/connector-needs-attention-card.png`, fullPage: true })

  await page.goto(`http://acme.localhost:${port}/bulk-import`)
  const jamfSource = page.locator('#bulk-import-jamf')
  t.equal((await jamfSource.locator('.badge').first().innerText()).trim(), 'Needs attention')
  t.equal((await jamfSource.locator('.integration-attention').innerText()).trim(), 'Jamf Pro could not be reached (acme-jamf.invalid not found)')

  // An import that cannot reach its vendor waits to retry, says why and when, and is cancelled here.
  const source = page.locator('#bulk-import-acme-inventory')
  await source.getByRole('button', { name: 'Import devices from Acme Inventory (example)' }).click()
  const waiting = source.getByText(/^Import waiting: Acme Inventory \(example\) could not be reached \(127\.0\.0\.1:\d+ refused the connection\); trying again at/)
  await waiting.waitFor({ timeout: 45_000 })
  await settled()
  const run = await app.db('integration_runs').where({ workspace_id: ws.id, plugin_id: 'acme-inventory' }).first()
  const local = new Date(run.retry_at).toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', timeZone: ZONE }) // Chromium's default locale
  t.equal((await source.locator('time[data-local-time]').innerText()).trim(), local, `the time reads in the browser's zone (${ZONE}), not UTC`)
  t.equal((await source.locator('.badge').first().innerText()).trim(), 'Needs attention')
  await page.screenshot({ path: `${shots}/bulk-import-waiting.png`, fullPage: true })

  // On the card the waiting sync keeps its area, and Test connection runs beside it.
  await page.goto(`http://acme.localhost:${port}/settings/integrations`)
  await page.getByRole('link', { name: 'Acme Inventory (example)', exact: true }).click()
  const modal = page.getByRole('dialog', { name: 'Acme Inventory (example)' })
  await modal.getByText(/^Import waiting: .*; trying again at/).or(modal.getByText(/^Sync waiting: .*; trying again at/)).waitFor()
  await settled()
  await modal.getByRole('button', { name: 'Test connection' }).click()
  await modal.getByText(/^Test failed\. Acme Inventory \(example\) could not be reached \(127\.0\.0\.1:\d+ refused the connection\)\.$/).waitFor({ timeout: 45_000 })
  t.equal(await modal.getByText(/^Sync waiting: /).count(), 1, 'a test is not blocked by the waiting sync, and the sync stays shown')
  await settled()
  await page.screenshot({ path: `${shots}/integration-waiting-and-test.png` })
  await modal.getByRole('button', { name: 'Close' }).click()

  await page.goto(`http://acme.localhost:${port}/bulk-import`)
  await source.getByRole('button', { name: 'Cancel the import' }).click()
  await source.getByText('Import stopped. Cancelled by admin@acme.test. Nothing was written.').waitFor()
  t.match(await app.integrations.run(ws.id, run.id), { status: 'cancelled' })
  t.equal((await app.db.raw('SELECT state FROM pgboss.job WHERE id = ?', [run.job_id])).rows[0].state, 'cancelled', 'its retry job will never start')
  await page.screenshot({ path: `${shots}/bulk-import-waiting-cancelled.png`, fullPage: true })
  t.same(errors, [], 'no console errors')
})
