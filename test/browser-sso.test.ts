// In Chromium: a signed-out visit to a page → the sign-in page with the workspace's single sign-on
// buttons → the fixture's identity provider (a real server on loopback) → back on the page asked
// for, signed in. Through the POST binding (the provider's self-submitting form posts cross-site,
// without the SameSite=Lax cookies, and the same-site continuation checks them) and through GET.
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { enableFixtureSso, lastSignIn, signInPlugins } from './helpers/sso.ts'
import { startFakeIdp } from './fixtures/sign-in-plugin/fake-idp.ts'
import { freePort } from './helpers/server-process.ts'

const shots = process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'

t.test('sign in with the identity provider and land on the page asked for', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const idp = await startFakeIdp()
  t.teardown(idp.close)
  const port = await freePort()
  const { app, workspace } = await buildTestApp(t, { STOCKTAKE_BASE_URL: `http://localhost:${port}` }, { plugins: await signInPlugins() })
  await app.listen({ port, host: '127.0.0.1' })
  const acme = await workspace('acme')
  await app.db('workspaces').where({ id: acme.id }).update({ name: 'Acme' })
  await enableFixtureSso(app, acme.id, idp)
  await app.db('users').insert({ workspace_id: acme.id, email: 'pat@acme.test', first_name: 'Pat', last_name: 'Lee', role: 'admin' })
  idp.user = { email: 'pat@acme.test', subject: 'sub-pat', groups: [] }

  const browser = await launchBrowser(t.teardown, { viewport: { width: 1280, height: 800 } })
  const page = await browser.newPage()
  const failures: string[] = []
  page.on('response', response => { if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) failures.push(`${response.status()} ${response.url()}`) })
  const origin = `http://acme.localhost:${port}`

  await page.goto(`${origin}/hardware`)
  await page.getByRole('heading', { name: 'Sign in to Acme' }).waitFor()
  const buttons = page.getByRole('navigation', { name: 'Single sign-on' }).getByRole('link')
  t.same(await buttons.allInnerTexts(), ['Sign in with Fixture IdP', 'Fixture SAML'])
  await page.screenshot({ path: `${shots}/sso-sign-in-page.png`, fullPage: true })

  await page.getByRole('link', { name: 'Fixture SAML' }).click()
  await page.getByRole('heading', { name: 'Hardware', level: 1 }).waitFor()
  t.equal(new URL(page.url()).pathname, '/hardware', 'POST binding: landed on the page asked for')
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', details: { method: 'sso', idp: 'post' } })

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByRole('heading', { name: 'Sign in to Acme' }).waitFor()
  await page.goto(`${origin}/people`)
  await page.getByRole('link', { name: 'Sign in with Fixture IdP' }).click()
  await page.waitForURL(`${origin}/people`)
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', details: { method: 'sso', idp: 'get' } })
  t.same(failures, [], 'no failed requests')

  await page.goto(`${origin}/settings/integrations/fixture-sso`)
  await page.getByText('Only a super admin can change a sign-in integration').waitFor()
  t.equal(await page.getByRole('button', { name: 'Save changes' }).count(), 0, 'an admin sees the sign-in integration read-only')
  await page.screenshot({ path: `${shots}/sso-integration-read-only.png`, fullPage: true })

  await page.goto(`${origin}/settings`)
  await page.locator('#sign-in-heading').scrollIntoViewIfNeeded()
  await page.screenshot({ path: `${shots}/sso-settings.png` })

  // Refused (offboarded): a page that says why, with the way back to the sign-in page.
  await app.db('users').where({ workspace_id: acme.id, email: 'pat@acme.test' }).update({ status: 'offboarded' })
  await app.db('workspaces').where({ id: acme.id }).update({ require_sso: true })
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByText('This workspace requires single sign-on.').waitFor()
  await page.screenshot({ path: `${shots}/sso-sign-in-required.png` })
  await page.getByRole('link', { name: 'Fixture SAML' }).click()
  await page.getByRole('heading', { name: 'Not signed in' }).waitFor()
  t.match(await page.locator('main').innerText(), 'has been offboarded in this workspace')
  await page.screenshot({ path: `${shots}/sso-refused.png` })
})
