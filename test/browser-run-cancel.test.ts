// Cancel in a browser: a sync in progress on the integration's card, its Cancel button (confirmed),
// and the card saying who stopped it while the slot is free for the next sync.
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { GATED_SETTINGS, Gates, gatedPlugin } from './helpers/gated-plugin.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { systemActor } from '../core/audit/index.ts'

const shots = process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'

t.test('a sync in progress is cancelled from its card', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const gates = new Gates()
  const plugin = gatedPlugin('acme-inventory', gates)
  const { app } = await buildTestApp(t, {}, { plugins: [plugin], recoveryTuning: { renewMs: 200 } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const access = await grantAdminAccess(app, 'acme', 'admin@acme.test')
  await app.integrations.settings.save(access.workspace.id, systemActor, plugin, GATED_SETTINGS, { enabled: true })

  const browser = await launchBrowser(t.teardown)
  const page = await browser.newPage()
  const settled = async () => { await page.waitForFunction(() => document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping, .htmx-request') === null) }
  const confirms: string[] = []
  page.on('dialog', dialog => { confirms.push(dialog.message()); dialog.accept().catch(() => {}) })
  await page.goto(`http://acme.localhost:${port}${new URL(access.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.goto(`http://acme.localhost:${port}/settings/integrations`)
  await page.getByRole('link', { name: 'acme-inventory', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'acme-inventory' })
  await dialog.waitFor()
  await settled()

  await dialog.getByRole('button', { name: 'Sync now' }).click()
  await gates.reached.opened
  // A device sync writes once it has read every page (one serial may come twice): nothing yet.
  await dialog.getByText(/Syncing… 1 read, 0 written/).waitFor()
  const cancel = dialog.getByRole('button', { name: 'Cancel the sync' })
  await cancel.waitFor()
  await settled()
  await dialog.getByText(/Syncing…/).scrollIntoViewIfNeeded()
  await page.screenshot({ path: `${shots}/integration-run-cancel.png`, fullPage: true })

  await cancel.click()
  await dialog.getByText('Sync stopped. Cancelled by admin@acme.test.').waitFor()
  t.match(confirms, [/Cancel this sync\? What it has written so far is kept\./], 'Cancel asks first')
  t.equal(await dialog.getByRole('button', { name: 'Cancel the sync' }).count(), 0, 'a stopped run offers no Cancel')
  await dialog.getByText('Nothing was written.').waitFor()
  t.equal(await dialog.locator('.run-counts').count(), 0, 'no counts table for a run that wrote nothing')
  await page.screenshot({ path: `${shots}/integration-run-cancelled.png`, fullPage: true })

  // The slot is free: Sync now starts the next run at once, from the top (the cancelled one wrote nothing).
  gates.release.open()
  await dialog.getByRole('button', { name: 'Sync now' }).click()
  await dialog.getByText(/Sync completed\. 2 created/).waitFor({ timeout: 20_000 })
  t.ok(gates.calls[0].signal.aborted, 'the cancelled execution was stopped through its signal')

  // Bulk import offers the same Cancel on an import in progress.
  gates.reset()
  await app.db('hardware').delete()
  await app.db('integration_state').delete()
  await page.goto(`http://acme.localhost:${port}/bulk-import`)
  await page.getByRole('button', { name: 'Import devices from acme-inventory' }).click()
  await gates.reached.opened
  const source = page.locator('#bulk-import-acme-inventory')
  await source.getByText(/Importing… 1 devices read, 0 written/).waitFor()
  await settled()
  await page.screenshot({ path: `${shots}/bulk-import-run-cancel.png`, fullPage: true })
  await source.getByRole('button', { name: 'Cancel the import' }).click()
  await source.getByText('Import stopped. Cancelled by admin@acme.test. Nothing was written.').waitFor()
  t.pass('Bulk import cancels the same way')
})
