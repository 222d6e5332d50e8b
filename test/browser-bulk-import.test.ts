import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { systemActor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'
import { routeToFake } from '../core/sdk.ts'
import { startFake } from './fixtures/external-plugin/fake.ts'

t.test('preview, then import devices from an MDM in a browser', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const fake = await startFake()
  const dispatcher = routeToFake(fake.url)
  t.teardown(async () => { await dispatcher.close(); await fake.close() })
  fake.devices.push(
    { id: 'd1', serial: 'C02AAA', model: 'MacBook Pro', owner: 'pat@acme.test', updatedAt: '2026-01-01T00:00:00Z' },
    { id: 'd2', serial: null, model: 'Virtual machine', owner: null, updatedAt: '2026-01-01T00:00:00Z' },
    { id: 'd3', serial: 'IPAD-1', model: 'iPad Air', owner: null, updatedAt: '2026-01-01T00:00:00Z' }
  )
  const plugins = await discoverPlugins({ builtinDir: null, pluginDirs: [fileURLToPath(new URL('./fixtures/external-plugin/', import.meta.url))] })
  const { app } = await buildTestApp(t, {}, { plugins, httpDispatcher: dispatcher })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const access = await grantAdminAccess(app, 'acme', 'admin@acme.test')
  const acme = await app.db('workspaces').where({ slug: 'acme' }).first()
  await app.registry.people.create(acme.id, systemActor, { email: 'pat@acme.test', first_name: 'Pat' })
  await allowPrivateHosts(app.db, acme.id, systemActor, [new URL(fake.url).hostname]) // the fake is on loopback
  await app.integrations.settings.save(acme.id, systemActor, plugins[0], fake.settings, { enabled: true })

  const browser = await launchBrowser(t.teardown)
  const page = await browser.newPage()
  const confirms: string[] = []
  page.on('dialog', dialog => { confirms.push(dialog.message()); dialog.accept().catch(() => {}) })
  /** htmx wires new content up when it settles; until then a button would submit without it. */
  const settled = async () => { await page.waitForFunction(() => document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping, .htmx-request') === null) }
  await page.goto(`http://acme.localhost:${port}${new URL(access.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bulk import' }).click()
  await page.getByRole('heading', { name: 'Import from your MDM' }).waitFor()
  const source = page.locator('#bulk-import-acme-inventory')
  t.equal((await source.locator('.badge').first().innerText()).trim(), 'Configured')

  await source.getByRole('button', { name: 'Preview changes from Acme Inventory (example)' }).click()
  await source.getByText(/Preview completed — nothing was written/).waitFor({ timeout: 45_000 })
  await settled()
  t.match(await source.getByRole('status').innerText(), 'An import would make 2 created, 0 updated, 0 unchanged, 1 skipped, 0 errors.')
  t.ok(await source.getByText('What the import would write, field by field').isVisible(), 'the planned changes are listed')
  await page.screenshot({ path: `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/bulk-import-preview.png`, fullPage: true })
  t.equal(Number((await app.db('hardware').where({ workspace_id: acme.id }).count({ n: '*' }))[0].n), 0, 'the preview wrote nothing')

  await source.getByRole('button', { name: 'Import devices from Acme Inventory (example)' }).click()
  await source.getByText(/Import completed/).waitFor({ timeout: 45_000 })
  await settled()
  t.match(confirms, [/^Import every device from Acme Inventory \(example\) into Hardware\?/], 'the import asked first')
  t.match(await source.getByRole('status').innerText(), 'Import completed: 2 created, 0 updated, 0 unchanged, 1 skipped, 0 errors.')
  await page.screenshot({ path: `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/bulk-import.png`, fullPage: true })
  const rows = await app.db('hardware').where({ workspace_id: acme.id }).orderBy('serial')
  t.same(rows.map(r => [r.serial, r.name]), [['C02AAA', "Pat's MacBook Pro"], ['IPAD-1', 'iPad Air']])
})
