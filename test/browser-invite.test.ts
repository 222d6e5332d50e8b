import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { freePort } from './helpers/server-process.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { systemActor } from '../core/audit/index.ts'

t.test('an admin sends a colleague a sign-in link; it signs them in once, in their own browser', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  // The link is written with the public base URL, so the server listens where that URL points.
  const port = await freePort()
  const { app } = await buildTestApp(t, { STOCKTAKE_BASE_URL: `http://localhost:${port}` }, { plugins: [] })
  await app.listen({ port, host: '127.0.0.1' })
  const origin = `http://acme.localhost:${port}`
  const access = await grantAdminAccess(app, 'acme', 'admin@acme.test', 'admin')
  const ws = access.workspace.id
  const nia = await app.registry.people.create(ws, systemActor, { email: 'nia@acme.test', first_name: 'Nia', last_name: 'Novak', department: 'Design' })
  const shot = (name: string) => `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/${name}.png`

  const adminBrowser = await launchBrowser(t.teardown)
  await adminBrowser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin })
  const page = await adminBrowser.newPage()
  await page.goto(access.signInUrl)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click()
  await page.getByRole('link', { name: 'Nia Novak' }).click()
  await page.getByRole('heading', { name: /Nia Novak/ }).waitFor()
  const personUrl = page.url()

  await page.getByRole('button', { name: 'Send sign-in link' }).click()
  const dialog = page.getByRole('dialog', { name: 'Sign-in link for Nia Novak' })
  await dialog.waitFor()
  const link = await dialog.getByLabel('Sign-in link').inputValue()
  t.match(link, new RegExp(`^${origin}/sign-in/link/[0-9A-Za-z_-]{20,}$`), 'the link, on the workspace\'s address')
  await page.screenshot({ path: shot('invite-dialog') })
  await dialog.getByRole('button', { name: 'Copy' }).click()
  await dialog.getByRole('button', { name: 'Copied' }).waitFor()
  t.equal(await page.evaluate(async () => await navigator.clipboard.readText()), link, 'Copy puts it on the clipboard')
  await dialog.getByRole('button', { name: 'Close' }).click()
  t.equal(await page.getByRole('dialog').count(), 0, 'closed, it is gone')
  await page.reload()
  await page.getByRole('heading', { name: /Nia Novak/ }).waitFor()
  t.equal(page.url(), personUrl, 'the page kept its address')
  t.equal(await page.getByText('/sign-in/link/').count(), 0, 'shown once: not after a reload')
  t.equal((await app.db('sign_in_links').where({ workspace_id: ws, user_id: nia.id })).length, 1, 'and the reload minted no second link')
  t.match(await page.getByRole('region', { name: 'Audit trail' }).innerText(), /admin@acme\.test\s+auth\.sign_in_link_created\s+Nia Novak person\s+success/, 'on her audit trail')

  // Nia, in a browser of her own.
  const niaBrowser = await launchBrowser(t.teardown)
  const hers = await niaBrowser.newPage()
  await hers.goto(link)
  await hers.getByRole('heading', { name: 'Overview' }).waitFor()
  t.equal(await hers.getByRole('link', { name: 'Nia Novak' }).first().getAttribute('href'), '/account', 'signed in as Nia')
  await hers.screenshot({ path: shot('invite-signed-in') })

  // The link again, anywhere: it has been used.
  const later = await launchBrowser(t.teardown)
  const again = await later.newPage()
  await again.goto(link)
  await again.getByRole('heading', { name: 'Link expired' }).waitFor()
  t.match(await again.locator('main').innerText(), /already used or has expired[\s\S]*Ask your IT admin to send you a new one/, 'a clear page that says what to do')
  t.equal(await again.getByRole('link', { name: 'Sign in' }).count(), 1, 'with the way to the sign-in page')
  await again.screenshot({ path: shot('invite-link-used') })
  await again.getByRole('link', { name: 'Sign in' }).click()
  await again.getByRole('heading', { name: /Sign in to/ }).waitFor()
  await again.screenshot({ path: shot('sign-in-page') })

  // The People list offers it on each row too.
  await page.goto(`${origin}/people`)
  await page.getByRole('button', { name: 'Send sign-in link to Nia Novak' }).click()
  await page.getByRole('dialog', { name: 'Sign-in link for Nia Novak' }).waitFor()
  await page.screenshot({ path: shot('invite-from-list') })
})
