// In Chromium, from the pages alone: a super-admin connects Google Workspace SSO and Microsoft
// Entra ID in their cards' modals; a member of staff, in another browser, opens a page that needs
// sign-in, clicks "Sign in with Google" (or Microsoft), goes through the provider — oidc-provider
// as Google or Entra, reached at https://accounts.google.com and https://login.microsoftonline.com
// (test/helpers/vendor-host.ts) — and lands on the page asked for, signed in; an Entra group
// mapped to admin makes them an admin; a refused sign-in's reason is on the audit page.
import t from 'tap'
import type { Page } from 'playwright-core'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { CLIENT_SECRET, ENTRA_CLIENT_ID, GOOGLE_CLIENT_ID, routeVendors, startEntraPeer, startGooglePeer } from './helpers/oidc-peer.ts'
import { freePort } from './helpers/server-process.ts'
import { lastSignIn } from './helpers/sso.ts'
import { vendorHostsOnLoopback } from './helpers/vendor-host.ts'

const shots = process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'
const ADMINS_GROUP = '5c1b3a9e-0d2f-4e6a-9b8c-7d6e5f4a3b2c'

t.test('a super-admin connects Google and Entra on their cards; staff sign in with them', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const port = await freePort()
  const origin = `http://acme.localhost:${port}`
  const google = await startGooglePeer(`${origin}/sign-in/sso/google-sso/google/callback`)
  t.teardown(google.peer.close)
  const entra = await startEntraPeer(`${origin}/sign-in/sso/entra-sso/microsoft/callback`)
  t.teardown(entra.peer.close)
  const [tenant] = entra.tenants
  const vendors = await vendorHostsOnLoopback({ 'accounts.google.com': google.peer.url, 'login.microsoftonline.com': entra.peer.url })
  t.teardown(vendors.close)

  const { app } = await buildTestApp(t, { STOCKTAKE_BASE_URL: `http://localhost:${port}` }, { httpDispatcher: routeVendors(google.peer, entra.peer) })
  await app.listen({ port, host: '127.0.0.1' })
  const access = await grantAdminAccess(app, 'acme', 'sue@acme.test')
  const acme = access.workspace
  await app.db('workspaces').where({ id: acme.id }).update({ name: 'Acme' })

  const failures: string[] = []
  const watch = (page: Page) => page.on('response', response => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) failures.push(`${response.status()} ${response.url()}`)
  })
  /** htmx wires new content up when it settles; until then a button would submit without it. */
  const settled = async (page: Page) => { await page.waitForFunction(() => document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping, .htmx-request') === null) }

  // The super-admin, in their browser.
  const adminBrowser = await launchBrowser(t.teardown, { viewport: { width: 1280, height: 900 } })
  const admin = await adminBrowser.newPage()
  admin.setDefaultTimeout(20_000)
  watch(admin)
  await admin.goto(`${origin}${new URL(access.signInUrl).pathname}`)
  await admin.getByRole('heading', { name: 'Overview' }).waitFor()
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
  await admin.getByRole('link', { name: 'Integrations', exact: true }).click()
  await admin.getByRole('heading', { name: 'Integrations', exact: true }).waitFor()
  /** A card's modal, opened from the grid. */
  async function openCard (name: string) {
    await admin.getByRole('link', { name, exact: true }).click()
    const dialog = admin.getByRole('dialog', { name })
    await dialog.waitFor()
    await settled(admin)
    return dialog
  }

  await t.test('Google, configured in its modal', async t => {
    const dialog = await openCard('Google Workspace SSO')
    await admin.screenshot({ path: `${shots}/sso-oidc-google-modal-top.png` })
    t.equal(await dialog.getByLabel('Authorized redirect URI').inputValue(), `${origin}/sign-in/sso/google-sso/google/callback`, 'the address to register at Google, this workspace\'s')
    await dialog.getByLabel('Client ID').fill(GOOGLE_CLIENT_ID)
    await dialog.getByLabel('Client secret').fill(CLIENT_SECRET)
    await dialog.getByLabel('Workspace domains').fill('example.com')
    await dialog.getByLabel('Create people on their first sign-in').check()
    await dialog.getByLabel('Enabled').check()
    await admin.screenshot({ path: `${shots}/sso-oidc-google-modal.png`, fullPage: true })
    await dialog.getByRole('button', { name: 'Save changes' }).click()
    await dialog.getByText('Saved.', { exact: true }).waitFor()
    t.equal(await dialog.locator('.field-error').count(), 0, 'no field error')
    await dialog.getByRole('button', { name: 'Close' }).click()
    await dialog.waitFor({ state: 'detached' })
    const row = await app.db('integrations').where({ workspace_id: acme.id, plugin_id: 'google-sso' }).first()
    t.match(row, { enabled: true, settings: { clientId: GOOGLE_CLIENT_ID, allowedDomains: 'example.com', createPeople: true } })
    t.notMatch(JSON.stringify(row.secrets), CLIENT_SECRET, 'the secret is stored encrypted')
  })

  await t.test('Entra (preview), configured in its modal with a group mapped to admin', async t => {
    const dialog = await openCard('Microsoft Entra ID')
    t.equal(await dialog.getByLabel('Redirect URI (Web)').inputValue(), `${origin}/sign-in/sso/entra-sso/microsoft/callback`, 'the address to register in Entra, this workspace\'s')
    await dialog.getByLabel('Application (client) ID').fill(ENTRA_CLIENT_ID)
    await dialog.getByLabel('Client secret').fill(CLIENT_SECRET)
    await dialog.getByLabel('Role mappings').fill(`${ADMINS_GROUP} = admin`)
    await dialog.getByLabel('Create people on their first sign-in').check()
    await dialog.getByLabel('Enabled').check()
    // No tenant yet: one message, on the Tenant ID field.
    await dialog.getByRole('button', { name: 'Save changes' }).click()
    await dialog.locator('.field-error', { hasText: 'Tenant ID is required for one organization' }).waitFor()
    t.same(await dialog.locator('.field-error').allInnerTexts(), ['Tenant ID is required for one organization: the Directory (tenant) ID GUID or a verified domain.'])
    t.notMatch(await dialog.innerText(), 'The settings must', 'no general message beside the field\'s')
    await admin.screenshot({ path: `${shots}/sso-oidc-entra-modal-error.png`, fullPage: true })
    await dialog.getByLabel('Tenant ID', { exact: true }).fill(tenant)
    await dialog.getByLabel('Client secret').fill(CLIENT_SECRET)
    await dialog.getByRole('button', { name: 'Save changes' }).click()
    await dialog.getByText('Saved.', { exact: true }).waitFor()
    await admin.screenshot({ path: `${shots}/sso-oidc-entra-modal.png`, fullPage: true })
    await dialog.getByRole('button', { name: 'Close' }).click()
    await dialog.waitFor({ state: 'detached' })
    t.match(await app.db('integrations').where({ workspace_id: acme.id, plugin_id: 'entra-sso' }).first(), { enabled: true, settings: { tenancy: 'single', tenantId: tenant, roleMappings: `${ADMINS_GROUP} = admin` } })
  })

  // A member of staff, in another browser.
  const staffBrowser = await launchBrowser(t.teardown, { viewport: { width: 1280, height: 800 }, args: vendors.args, ignoreHTTPSErrors: true })
  const staff = await staffBrowser.newPage()
  staff.setDefaultTimeout(20_000)
  watch(staff)
  const vendorPages: string[] = []
  staff.on('request', request => { if (/^https:\/\/(accounts\.google\.com|login\.microsoftonline\.com)\//.test(request.url())) vendorPages.push(new URL(request.url()).origin) })

  await t.test('Sign in with Google: to the page asked for', async t => {
    await staff.goto(`${origin}/account`)
    await staff.getByRole('heading', { name: 'Sign in to Acme' }).waitFor()
    const buttons = staff.getByRole('navigation', { name: 'Single sign-on' }).getByRole('link')
    t.same(await buttons.allInnerTexts(), ['Sign in with Google', 'Sign in with Microsoft'])
    await staff.screenshot({ path: `${shots}/sso-oidc-sign-in-page.png`, fullPage: true })
    await staff.getByRole('link', { name: 'Sign in with Google' }).click()
    await staff.waitForURL(`${origin}/account`)
    t.ok(vendorPages.includes('https://accounts.google.com'), 'the browser went to Google')
    t.equal(await staff.getByRole('button', { name: 'Sign out' }).count(), 1, 'signed in')
    const pat = await app.db('users').where({ workspace_id: acme.id, email: 'pat@example.com' }).first()
    t.match(pat, { role: 'employee', first_name: 'Pat' }, 'created just in time')
    t.match(await lastSignIn(app, acme.id), { outcome: 'success', target_id: pat.id, details: { provider: 'google-sso', created: true } })
    await staff.getByRole('button', { name: 'Sign out' }).click()
    await staff.getByRole('heading', { name: 'Sign in to Acme' }).waitFor()
  })

  await t.test('Sign in with Microsoft: the admins group makes Sam an admin', async t => {
    entra.peer.person = { sub: 'entra-sam', tenant, claims: { tid: tenant, email: 'sam@contoso.com', preferred_username: 'sam@contoso.com', given_name: 'Sam', family_name: 'Ng', groups: [ADMINS_GROUP] } }
    await staff.goto(`${origin}/people`)
    await staff.getByRole('link', { name: 'Sign in with Microsoft' }).click()
    await staff.waitForURL(`${origin}/people`)
    await staff.getByRole('heading', { name: 'People', level: 1 }).waitFor()
    t.ok(vendorPages.includes('https://login.microsoftonline.com'), 'the browser went to Microsoft')
    t.match(await app.db('users').where({ workspace_id: acme.id, email: 'sam@contoso.com' }).first(), { role: 'admin' })
    await staff.screenshot({ path: `${shots}/sso-oidc-signed-in-admin.png` })
    await staff.getByRole('button', { name: 'Sign out' }).click()
    await staff.getByRole('heading', { name: 'Sign in to Acme' }).waitFor()
  })

  await t.test('a personal Google account is refused, and the audit page says why', async t => {
    google.peer.person = { sub: 'personal-1', claims: { email: 'pat.home@gmail.com', email_verified: true, given_name: 'Pat' } }
    await staff.getByRole('link', { name: 'Sign in with Google' }).click()
    await staff.getByRole('heading', { name: 'Not signed in' }).waitFor()
    t.match(await staff.locator('main').innerText(), 'This is a personal Google account. Sign in with your organization\'s Google Workspace account.')
    await staff.screenshot({ path: `${shots}/sso-oidc-refused.png` })
    t.match(await lastSignIn(app, acme.id), { outcome: 'failure', details: { reason: 'not_workspace_account' } })

    await admin.goto(`${origin}/audit?action=auth.sign_in`)
    const newest = admin.locator('#audit-rows tr').first()
    await newest.waitFor()
    t.match(await newest.innerText(), /not_workspace_account/, 'the reason is on the audit page')
    await admin.screenshot({ path: `${shots}/sso-oidc-audit.png`, fullPage: true })
  })

  // The refusal page is a 403 and the Entra form without a tenant a 422, by design; nothing else failed.
  t.same(failures.filter(f => !f.startsWith(`403 ${origin}/sign-in/sso/google-sso/google/callback`) && f !== `422 ${origin}/settings/integrations/entra-sso`), [], 'no failed request on the way')
})
