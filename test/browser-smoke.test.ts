import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'

t.test('sign in with a one-time link and open the audit log', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const { app } = await buildTestApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const access = await grantAdminAccess(app, 'acme', 'admin@acme.test')
  const link = `http://acme.localhost:${port}${new URL(access.signInUrl).pathname}`

  const browser = await launchBrowser(t.teardown)
  const page = await browser.newPage()
  await page.goto(link)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  t.equal(new URL(page.url()).pathname, '/', 'the link lands on the overview')

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click()
  await page.getByRole('heading', { name: 'Audit log' }).waitFor()
  const firstRow = page.locator('#audit-results tbody tr').first()
  t.match(await firstRow.innerText(), /auth\.sign_in/, 'the sign-in is the newest audit entry')

  // Filtering goes through htmx: the results swap in place and the URL keeps the filter.
  await page.getByLabel('Action').fill('workspace.')
  await page.getByRole('button', { name: 'Filter' }).click()
  await page.getByText('No audit entries match these filters.').waitFor()
  t.match(page.url(), /action=workspace\./, 'the URL keeps the filter')
  await page.screenshot({ path: `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/audit-log.png`, fullPage: true })
})
