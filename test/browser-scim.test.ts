import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { GROUP, USER, scimClient } from './helpers/scim.ts'
import { until } from './helpers/wait.ts'

t.test('a super admin copies the tenant URL, creates a SCIM token, copies it and revokes it', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const { app, config } = await buildTestApp(t, {}, { plugins: [] })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const origin = `http://acme.localhost:${port}`
  const admin = await grantAdminAccess(app, 'acme', 'admin@acme.test', 'super-admin')

  const browser = await launchBrowser(t.teardown)
  await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin })
  const page = await browser.newPage()
  const clipboard = async () => await page.evaluate(async () => await navigator.clipboard.readText())
  await page.goto(`${origin}${new URL(admin.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.goto(`${origin}/settings`)
  await page.getByRole('link', { name: 'SCIM provisioning' }).click()
  await page.getByRole('heading', { name: 'SCIM provisioning', level: 1 }).waitFor()

  const connect = page.getByRole('region', { name: 'Connect an identity provider' })
  t.equal(await page.getByLabel('Tenant URL').inputValue(), `${config.baseUrl}/scim/v2`)
  await connect.getByRole('button', { name: 'Copy' }).click()
  await connect.getByRole('button', { name: 'Copied' }).waitFor()
  t.equal(await clipboard(), `${config.baseUrl}/scim/v2`, 'the tenant URL is on the clipboard')

  await page.getByRole('button', { name: 'Create token' }).click()
  await page.locator('.field-error', { hasText: 'Give the token a name, such as the identity provider' }).waitFor() // beside the field (the error summary repeats it)
  t.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true', 'the name is marked invalid')

  await page.getByLabel('Name', { exact: true }).fill('Okta')
  await page.getByRole('button', { name: 'Create token' }).click()
  const secret = await page.getByLabel('The new SCIM token').inputValue()
  t.match(secret, /^stk_scim_[0-9A-Za-z]{43}$/, 'the secret is shown once')
  await page.getByRole('status').filter({ hasText: 'Token “Okta” created' }).getByRole('button', { name: 'Copy' }).click()
  await page.getByRole('button', { name: 'Copied' }).waitFor()
  t.equal(await clipboard(), secret, 'the secret is on the clipboard')
  t.ok((await app.scimTokens.authenticate(`Bearer ${secret}`)).ok, 'the copied token opens SCIM')

  await page.goto(`${origin}/settings/scim`)
  t.equal(await page.getByText(secret).count(), 0, 'never shown again')
  const confirms: string[] = []
  page.on('dialog', dialog => { confirms.push(dialog.message()); dialog.accept().catch(() => {}) })
  await page.getByRole('button', { name: 'Revoke “Okta”' }).click()
  await page.getByText('The token “Okta” is revoked').waitFor()
  t.match(confirms, [/^Revoke the token “Okta”\?/], 'asked first')
  t.ok(await page.getByRole('row', { name: /Okta/ }).getByText('Revoked').isVisible(), 'still listed, marked revoked')
  t.match(await app.scimTokens.authenticate(`Bearer ${secret}`), { ok: false, reason: 'revoked' })
  await page.screenshot({ path: `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/settings-scim.png`, fullPage: true })
})

t.test('a super admin maps an identity provider group to a role and reads the provisioning log', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const { app } = await buildTestApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const origin = `http://acme.localhost:${port}`
  const owner = await grantAdminAccess(app, 'acme', 'owner@acme.test', 'super-admin')
  const okta = await scimClient(app, owner.workspace.id, 'Okta')
  const ann = await okta.ok('POST', '/Users', { schemas: [USER], userName: 'ann@acme.test' })
  await okta.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'IT team', members: [{ value: ann.id }] })
  await okta.call('POST', '/Users', { schemas: [USER], userName: 'ann@acme.test' })

  const page = await (await launchBrowser(t.teardown)).newPage()
  await page.goto(`${origin}${new URL(owner.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.goto(`${origin}/settings/scim`)
  await page.getByLabel('Role of the group IT team').selectOption({ label: 'IT admin' })
  await page.getByRole('button', { name: 'Save role of the group IT team' }).click()
  await page.getByText('“IT team” now maps to IT admin').waitFor()
  t.equal(await page.getByLabel('Role of the group IT team').inputValue(), 'it-admin', 'the page shows the mapping saved')
  t.equal((await app.db('users').where({ workspace_id: owner.workspace.id, id: ann.id }).first()).role, 'it-admin', 'the member has the role')

  const errors = page.getByRole('table', { name: 'Last errors' })
  await until(async () => {
    await page.reload()
    return await errors.getByRole('row').filter({ hasText: '409' }).count() > 0 ? true : undefined
  })
  t.ok(await errors.getByRole('row').filter({ hasText: 'uniqueness' }).filter({ hasText: 'Okta' }).isVisible(), 'the refused request, with its reason and token')
  await page.screenshot({ path: `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/settings-scim-mappings.png`, fullPage: true })
})
