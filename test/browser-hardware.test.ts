import t from 'tap'
import { fileURLToPath } from 'node:url'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { systemActor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'

t.test('register hardware, assign it, find it in the list and the audit log', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const plugins = await discoverPlugins({ builtinDir: null, pluginDirs: [fileURLToPath(new URL('./fixtures/lookup-plugin/', import.meta.url))] })
  const { app } = await buildTestApp(t, {}, { plugins })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const access = await grantAdminAccess(app, 'acme', 'admin@acme.test')
  const acme = await app.db('workspaces').where({ slug: 'acme' }).first()
  await app.registry.people.create(acme.id, systemActor, { email: 'pat@acme.test', first_name: 'Pat', last_name: 'Smith' })
  await app.integrations.settings.save(acme.id, systemActor, app.integrations.plugin('fixture-mdm')!, {}, { enabled: true })

  const browser = await launchBrowser(t.teardown)
  const page = await browser.newPage()
  await page.goto(`http://acme.localhost:${port}${new URL(access.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Hardware' }).click()
  await page.getByRole('heading', { name: 'Hardware' }).waitFor()
  await page.getByRole('link', { name: 'Register hardware' }).click()

  // A refused form keeps what was typed and says what is wrong beside the field.
  await page.getByLabel('Name').fill('MacBook Pro 14')
  await page.getByRole('button', { name: 'Register hardware' }).click()
  await page.locator('.field-error', { hasText: 'Serial number must not be empty.' }).waitFor() // beside the field (the error summary repeats it)
  await page.screenshot({ path: `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/hardware-form.png`, fullPage: true })
  t.equal(await page.getByLabel('Name').inputValue(), 'MacBook Pro 14', 'the input is kept')
  t.equal(await page.getByLabel('Serial number').getAttribute('aria-invalid'), 'true')

  // Look up by serial fills the device fields in place (htmx) and offers the CPU to accept.
  await page.getByLabel('Serial number').fill('C02LOOKUP1')
  await page.getByRole('button', { name: 'Look up by serial' }).click()
  await page.getByText('Found in Fixture MDM.').waitFor()
  t.equal(await page.getByLabel('Manufacturer').inputValue(), 'Apple', 'filled from the integration')
  t.equal(await page.getByLabel('Name').inputValue(), 'MacBook Pro 14', 'what was typed stays')
  await page.getByRole('button', { name: 'Use it as the CPU' }).click()
  t.equal(await page.getByLabel('CPU').inputValue(), 'Apple M3 Pro', 'a suggestion is accepted with one click')
  await page.getByLabel('Category').fill('laptop')
  await page.getByRole('button', { name: 'Register hardware' }).click()
  await page.getByText('Registered ACME-000001 MacBook Pro 14.').waitFor()
  t.match(await page.getByRole('region', { name: 'Details' }).innerText(), /Apple M3 Pro/, 'saved with the accepted suggestion')
  t.match(new URL(page.url()).pathname, /^\/hardware\/[0-9a-f-]{36}$/, 'lands on its page')

  await page.getByLabel('Person').fill('pat@acme.test')
  await page.getByLabel('Note').fill('Welcome pack')
  await page.getByRole('button', { name: 'Assign' }).click()
  await page.getByText('ACME-000001 is now assigned to Pat Smith.').waitFor()
  await page.screenshot({ path: `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/hardware-detail.png`, fullPage: true })
  t.match(await page.getByRole('region', { name: 'Assignment history' }).innerText(), /Pat Smith[\s\S]*Welcome pack/)
  t.match(await page.getByRole('region', { name: 'Audit trail' }).innerText(), /hardware\.assigned[\s\S]*hardware\.created/)

  // The list filters through htmx: the table swaps in place and the URL keeps the search.
  await page.getByRole('link', { name: 'Hardware', exact: true }).first().click()
  await page.evaluate(() => { Object.assign(window, { sameDocument: true }) })
  await page.getByLabel('Search').fill('smith')
  await page.getByRole('button', { name: 'Filter' }).click()
  await page.waitForURL(/q=smith/)
  const row = page.locator('#hardware-rows tr').first()
  t.match(await row.innerText(), /ACME-000001[\s\S]*Pat Smith/, 'found by its assignee')
  await page.getByRole('link', { name: 'Name' }).click()
  await page.waitForURL(/sort=name/)
  t.equal(await page.getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort'), 'ascending', 'sorted by name')
  t.ok(await page.evaluate(() => 'sameDocument' in window), 'filtered and sorted without loading a new page')
  await page.screenshot({ path: `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/hardware-list.png`, fullPage: true })

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click()
  await page.getByRole('heading', { name: 'Audit log' }).waitFor()
  t.match(await page.locator('#audit-results tbody tr').first().innerText(), /hardware\.assigned[\s\S]*ACME-000001 MacBook Pro 14/, 'the assignment is the newest audit entry')
})
