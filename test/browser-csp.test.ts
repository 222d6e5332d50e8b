import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { systemActor } from '../core/audit/index.ts'
import { routeToFake } from '../core/sdk.ts'
import { startFake } from '../plugins/slack-alerts/fake.ts'

// The pages under their Content-Security-Policy in Chromium: every main page and each kind of
// htmx interaction (search as you type, filters, sorting, a modal dialog, copy buttons, a
// confirmed revoke, forms refused inline) with no violation reported and no script error.

t.test('the main pages and their htmx interactions run under the Content-Security-Policy', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const fake = await startFake()
  t.teardown(() => fake.close())
  const { app } = await buildTestApp(t, {}, { httpDispatcher: routeToFake(fake.url) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const origin = `http://acme.localhost:${port}`
  const access = await grantAdminAccess(app, 'acme', 'admin@acme.test', 'super-admin')
  const ws = access.workspace.id
  const pat = await app.registry.people.create(ws, systemActor, { email: 'pat@acme.test', first_name: 'Pat', last_name: 'Smith', department: 'Design' })
  const laptop = await app.registry.hardware.create(ws, systemActor, { serial: 'C02-CSP', name: 'MacBook Air', category: 'laptop' })
  await app.registry.software.create(ws, systemActor, { name: 'Figma', seats_purchased: 3 })
  await app.registry.requests.create(ws, systemActor, { requester_id: pat.id, category: 'monitor', description: 'A second screen' })
  const shot = (name: string) => `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/${name}.png`

  const browser = await launchBrowser(t.teardown)
  await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin })
  const page = await browser.newPage()
  const violations: string[] = []
  await page.exposeFunction('reportViolation', (report: string) => { violations.push(report) })
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', e => {
      (window as unknown as { reportViolation: (r: string) => void }).reportViolation(`${location.pathname}: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`)
    })
  })
  page.on('console', message => { if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(`${new URL(page.url()).pathname}: console: ${message.text()}`) })
  const scriptErrors: string[] = []
  page.on('pageerror', error => { scriptErrors.push(`${page.url()}: ${error.message}`) })
  page.on('dialog', dialog => { dialog.accept().catch(() => {}) })
  /** htmx has finished swapping and settling. */
  const settled = async () => { await page.waitForFunction(() => document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping, .htmx-request') === null) }
  const main = page.getByRole('navigation', { name: 'Main' })

  // Signed out: the sign-in form refuses a wrong password inline.
  await page.goto(`${origin}/sign-in`)
  await page.getByLabel('Email').fill('admin@acme.test')
  await page.getByLabel('Password').fill('not the password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText('That email and password do not match an active account.').waitFor()

  await page.goto(`${origin}${new URL(access.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.screenshot({ path: shot('csp-overview'), fullPage: true })

  // Hardware: search as you type swaps the rows in place; sorting too.
  await main.getByRole('link', { name: 'Hardware' }).click()
  await page.getByRole('heading', { name: 'Hardware' }).waitFor()
  await page.evaluate(() => { Object.assign(window, { sameDocument: true }) })
  await page.getByLabel('Search').fill('macbook')
  await page.waitForURL(/q=macbook/)
  await settled()
  t.match(await page.locator('#hardware-rows tr').first().innerText(), /MacBook Air/)
  await page.getByRole('link', { name: 'Name' }).click()
  await page.waitForURL(/sort=name/)
  await settled()
  t.ok(await page.evaluate(() => 'sameDocument' in window), 'htmx swapped the list without a page load')
  await page.screenshot({ path: shot('csp-hardware-list'), fullPage: true })

  // Assigning: the person picker searches as you type.
  await page.goto(`${origin}/hardware/${laptop.id}`)
  const searched = page.waitForResponse(res => res.url().includes('/hardware/assignees'))
  await page.getByLabel('Person').fill('pat')
  await searched
  await settled()
  await page.getByLabel('Person').fill('pat@acme.test')
  await page.getByRole('button', { name: 'Assign' }).click()
  await page.getByText(/is now assigned to Pat Smith/).waitFor()

  // People, software, requests, audit: lists and a filter.
  await main.getByRole('link', { name: 'People' }).click()
  await page.getByRole('heading', { name: 'People', exact: true }).waitFor()
  await page.getByLabel('Search').fill('smith')
  await page.waitForURL(/q=smith/)
  await settled()
  await main.getByRole('link', { name: 'Software' }).click()
  await page.getByRole('heading', { name: 'Software', exact: true }).waitFor()
  await main.getByRole('link', { name: 'Requests' }).click()
  await page.getByRole('heading', { name: 'Requests', exact: true }).waitFor()
  await main.getByRole('link', { name: 'Audit log' }).click()
  await page.getByLabel('Action').fill('hardware.')
  await page.getByRole('button', { name: 'Filter' }).click()
  await page.waitForURL(/action=hardware\./)
  await settled()

  // Settings: the asset tag preview follows what is typed.
  await main.getByRole('link', { name: 'Settings' }).click()
  await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor()
  await page.waitForLoadState('load') // htmx binds the preview's input trigger once the page has loaded: typing before that asks nothing
  const preview = page.locator('#tag-preview')
  await page.locator('#ws-prefix').fill('IT-')
  await page.waitForFunction(() => /^IT-/.test(document.querySelector('#tag-preview')?.textContent ?? ''))
  t.match(await preview.innerText(), /^IT-/, 'the preview swapped in')

  // Settings → API & webhooks: a new token, copied; then revoked after a confirmation.
  await page.goto(`${origin}/settings/api`)
  await page.getByLabel('Name', { exact: true }).fill('CSP check')
  await page.getByRole('button', { name: 'Create token' }).click()
  const secret = await page.getByLabel('The new token').inputValue()
  await page.getByRole('status').getByRole('button', { name: 'Copy' }).click()
  await page.getByRole('button', { name: 'Copied' }).waitFor()
  t.equal(await page.evaluate(async () => await navigator.clipboard.readText()), secret, 'the copy button copies')
  await page.goto(`${origin}/settings/api`)
  await page.getByRole('button', { name: 'Revoke' }).click()
  await page.getByText('is revoked').waitFor()

  // Settings → Integrations: a card opens a modal dialog, which closes.
  await page.goto(`${origin}/settings/integrations`)
  await page.getByRole('link', { name: 'Slack', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Slack' })
  await dialog.waitFor()
  await settled()
  t.ok(await dialog.evaluate(d => (d as HTMLDialogElement).open && d.matches(':modal')), 'opened as a modal')
  await dialog.getByRole('button', { name: 'Save changes' }).click()
  await dialog.locator('.field-error').first().waitFor()
  await settled()
  await dialog.getByRole('button', { name: 'Close' }).click()
  await dialog.waitFor({ state: 'detached' })

  // Settings → SCIM, the account page, a missing page.
  await page.goto(`${origin}/settings/scim`)
  await page.getByRole('region', { name: 'Connect an identity provider' }).getByRole('button', { name: 'Copy' }).click()
  await page.getByRole('button', { name: 'Copied' }).waitFor()
  await page.goto(`${origin}/account`)
  await page.getByRole('heading', { name: 'Your account' }).waitFor()
  await page.goto(`${origin}/no-such-page`)
  await page.getByRole('heading', { name: 'Not found' }).waitFor()

  // The API's reference (linked from Settings → API as /api/docs) works under its own policy.
  await page.goto(`${origin}/api/docs`)
  await page.getByRole('heading', { name: /Stocktake API/ }).waitFor()
  await page.locator('.opblock').first().waitFor()
  t.ok(await page.locator('.opblock').count() > 30, 'Swagger UI lists the operations')
  await page.screenshot({ path: shot('csp-api-docs') })

  await page.goto(`${origin}/`)
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByRole('heading', { name: /Sign in/ }).waitFor()

  // Swagger UI's own policy (not ours) refuses a style it injects; the page works regardless.
  t.same(violations.filter(v => !/api\/docs/.test(v)), [], 'no Content-Security-Policy violation on our pages')
  t.same(scriptErrors, [], 'no script error')
})
