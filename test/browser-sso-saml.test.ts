// In Chromium, from the pages alone: a super admin adds two of Debian's SimpleSAMLphp IdPs on the
// SAML page (each one's metadata pasted, since a metadata URL must be https on the internet and
// these live on plain-http loopback), maps an IdP group to Admin, gives each IdP the entity ID,
// ACS URL and certificate the page shows, and switches the integration on. Staff then press an
// IdP's button on the sign-in page, sign in on SimpleSAMLphp's real login form, and land on the
// page they asked for with the role their IdP groups give them; and from the IdP's app list
// (IdP-initiated), where the head office allows it.
import t from 'tap'
import type { Page } from 'playwright-core'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { freePort } from './helpers/server-process.ts'
import { DEFAULT_USERS, noSimpleSamlPhpReason, phpPath, startSimpleSamlPhp, type SimpleSamlIdp } from './helpers/simplesamlphp.ts'
import { lastSignIn } from './helpers/sso.ts'

const shots = process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'
const skip = chromiumPath === null ? noBrowserReason : phpPath === null ? noSimpleSamlPhpReason : false
const [alice, bob] = DEFAULT_USERS

/** On the SAML page: adds the IdP from its pasted metadata, then gives it what the page says to give it. */
async function addIdp (page: Page, idp: SimpleSamlIdp, name: string, options: { createPeople: boolean, idpInitiated?: boolean, group: string, role: string }): Promise<string> {
  const metadata = await (await fetch(idp.metadataUrl)).text()
  const add = page.getByRole('region', { name: 'Add an identity provider' })
  await add.getByLabel('Display name').fill(name)
  await add.getByLabel('Metadata XML', { exact: true }).fill(metadata)
  await add.getByLabel('Email attribute').fill('email')
  await add.getByLabel('First name attribute').fill('givenName')
  await add.getByLabel('Last name attribute').fill('sn')
  await add.getByLabel('Group attribute').fill('groups')
  await add.getByLabel('Create people on first sign-in').setChecked(options.createPeople)
  await add.getByLabel('Allow IdP-initiated sign-in').setChecked(options.idpInitiated ?? false)
  await add.getByLabel('Group value 1').fill(options.group)
  await add.getByLabel('Role for group 1').selectOption({ label: options.role })
  await add.getByRole('button', { name: 'Add identity provider' }).click()
  await page.getByText(`Added “${name}”.`).waitFor()
  const section = page.getByRole('region', { name, exact: true })
  const entityId = await section.getByLabel('Entity ID (Audience URI, Identifier)').inputValue()
  idp.trust({
    entityId,
    acsUrl: await section.getByLabel(/^ACS URL/).inputValue(),
    certificate: await section.getByLabel('Service provider certificate').inputValue()
  })
  return entityId
}

t.test('two SimpleSAMLphp IdPs added from the SAML page; staff sign in through each and land where they asked, with the mapped role', { skip }, async t => {
  const headOffice = await startSimpleSamlPhp()
  t.teardown(headOffice.close)
  const branch = await startSimpleSamlPhp()
  t.teardown(branch.close)
  const port = await freePort()
  const { app, workspace } = await buildTestApp(t, { STOCKTAKE_BASE_URL: `http://localhost:${port}` })
  await app.listen({ port, host: '127.0.0.1' })
  const acme = await workspace('acme')
  await app.db('workspaces').where({ id: acme.id }).update({ name: 'Acme' })
  const owner = await grantAdminAccess(app, 'acme', 'owner@acme.test', 'super-admin')
  const [bobRow] = await app.db('users').insert({ workspace_id: acme.id, email: bob.email, role: 'employee' }).returning(['id'])
  const origin = `http://acme.localhost:${port}`

  const browser = await launchBrowser(t.teardown, { viewport: { width: 1280, height: 800 } })
  const page = await browser.newPage()
  const failures: string[] = []
  page.on('response', response => { if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) failures.push(`${response.status()} ${response.url()}`) })

  await page.goto(`${origin}${new URL(owner.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.goto(`${origin}/settings/integrations/saml`)
  const headOfficeSp = await addIdp(page, headOffice, 'Head office', { createPeople: true, idpInitiated: true, group: 'stocktake-admins', role: 'Admin' })
  await addIdp(page, branch, 'Branch office', { createPeople: false, group: 'staff', role: 'IT admin' })
  await page.locator('#integration-enabled-saml').check()
  await page.locator('#integration-save-saml').click()
  await page.getByText('Saved.').waitFor()
  t.equal(await page.getByText('Certificates to roll').count(), 0, 'certificates valid a year: no warning')
  await page.screenshot({ path: `${shots}/sso-saml-page-two-idps.png`, fullPage: true })
  await page.getByRole('button', { name: 'Sign out' }).click()

  // Alice, unknown to the register, through the head office (JIT on, stocktake-admins → Admin).
  await page.goto(`${origin}/hardware`)
  await page.getByRole('heading', { name: 'Sign in to Acme' }).waitFor()
  const buttons = page.getByRole('navigation', { name: 'Single sign-on' }).getByRole('link')
  t.same((await buttons.allInnerTexts()).sort(), ['Sign in with Branch office', 'Sign in with Head office'])
  await page.screenshot({ path: `${shots}/sso-saml-sign-in-two-idps.png`, fullPage: true })
  await page.getByRole('link', { name: 'Sign in with Head office' }).click()
  await headOffice.loginInBrowser(page, alice.username, alice.password)
  await page.getByRole('heading', { name: 'Hardware', level: 1 }).waitFor()
  t.equal(page.url(), `${origin}/hardware`, 'landed on the page asked for')
  const aliceRow = await app.db('users').where({ workspace_id: acme.id, email: alice.email }).first()
  t.match(aliceRow, { role: 'admin', first_name: alice.givenName, last_name: alice.sn, source: 'sso' }, 'created with the role of her IdP group')
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', target_id: aliceRow.id, details: { provider: 'saml', idp: 'head-office', created: true } })

  // An admin, not a super admin: the SAML page read-only, with the core's reason, the IdPs and their details, no form.
  await page.goto(`${origin}/settings/integrations/saml`)
  await page.getByText('Only a super admin can change a sign-in integration').waitFor()
  t.ok(await page.getByRole('row', { name: /Head office/ }).isVisible(), 'the IdPs are listed')
  t.ok(await page.getByRole('region', { name: 'Branch office', exact: true }).getByLabel(/^ACS URL/).isVisible(), 'with what to give them')
  t.equal(await page.getByRole('region', { name: 'Add an identity provider' }).count(), 0, 'no add form')
  t.equal(await page.getByText('Edit Head office').count(), 0, 'no edit form')
  t.equal(await page.getByRole('button', { name: /Save|Delete|Add/ }).count(), 0, 'no button that changes anything')
  await page.screenshot({ path: `${shots}/sso-saml-page-read-only.png`, fullPage: true })
  await page.getByRole('button', { name: 'Sign out' }).click()

  // Bob, in the register as an employee, through the branch (JIT off, staff → IT admin).
  await page.goto(`${origin}/people`)
  await page.getByRole('link', { name: 'Sign in with Branch office' }).click()
  await branch.loginInBrowser(page, bob.username, bob.password)
  await page.getByRole('heading', { name: 'People', level: 1 }).waitFor()
  t.equal(page.url(), `${origin}/people`, 'landed on the page asked for')
  t.equal((await app.db('users').where({ id: bobRow.id }).first()).role, 'it-admin', 'his role follows his IdP group')
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', target_id: bobRow.id, details: { idp: 'branch-office', role: { old: 'employee', new: 'it-admin' } } })
  await page.getByRole('button', { name: 'Sign out' }).click()

  // From the head office's app list (IdP-initiated, allowed there): SimpleSAMLphp still knows Alice
  // and posts an answer nobody asked for; its RelayState names the page.
  await page.goto(headOffice.idpInitiatedUrl(headOfficeSp, '/software'))
  await page.getByRole('heading', { name: 'Software', level: 1 }).waitFor()
  t.equal(page.url(), `${origin}/software`, 'IdP-initiated: landed on the RelayState page, signed in')
  t.match(await lastSignIn(app, acme.id), { outcome: 'success', target_id: aliceRow.id, details: { idp: 'head-office' } })
  t.same(failures, [], 'no failed requests')
})
