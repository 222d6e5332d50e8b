import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { issueSignInLink } from '../core/auth/sign-in-links.ts'
import { systemActor } from '../core/audit/index.ts'

t.test('an employee requests a laptop; an admin fulfils it with a chosen one', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const { app } = await buildTestApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const origin = `http://acme.localhost:${port}`
  const admin = await grantAdminAccess(app, 'acme', 'admin@acme.test', 'it-admin')
  const ws = admin.workspace.id
  const eve = await app.registry.people.create(ws, systemActor, { email: 'eve@acme.test', first_name: 'Eve', last_name: 'Example' })
  await app.registry.hardware.create(ws, systemActor, { serial: 'C02-OLD', name: 'ThinkPad X1', category: 'laptop' })
  const chosen = await app.registry.hardware.create(ws, systemActor, { serial: 'C02-NEW', name: 'MacBook Air', category: 'laptop', model: 'M3' })
  const shot = (name: string) => `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/${name}.png`

  const browser = await launchBrowser(t.teardown)
  const page = await browser.newPage()

  // The employee files the request from their home page.
  await page.goto(`${origin}/sign-in/link/${await issueSignInLink(app.db, ws, eve.id)}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.getByRole('link', { name: 'Request an asset' }).click()
  await page.getByRole('heading', { name: 'Request an asset' }).waitFor()
  await page.getByRole('button', { name: 'Send request' }).click()
  await page.locator('.field-error', { hasText: 'Say what you need, for example laptop.' }).waitFor()
  t.equal(await page.getByLabel('Category').getAttribute('aria-invalid'), 'true', 'the empty category is marked invalid')
  await page.getByLabel('Category').fill('laptop')
  await page.getByLabel('Details (optional)').fill('For the new design role')
  await page.getByRole('button', { name: 'Send request' }).click()
  await page.getByText('Request sent.').waitFor()
  const requestUrl = page.url()
  t.match(new URL(requestUrl).pathname, /^\/requests\/[0-9a-f-]{36}$/, 'lands on the request')
  await page.screenshot({ path: shot('request-created'), fullPage: true })
  await page.getByRole('button', { name: 'Sign out' }).click()

  // The admin approves it, finds the MacBook by searching, and fulfils the request with it.
  await page.goto(`${origin}${new URL(admin.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  t.equal(await page.locator('#open-requests').innerText(), '1', 'the dashboard counts the open request')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Requests' }).click()
  await page.getByRole('link', { name: 'laptop' }).click()
  await page.getByRole('button', { name: 'Approve' }).click()
  await page.getByText('Request approved.').waitFor()
  const select = page.getByLabel('Available hardware')
  t.equal(await select.locator('option').count(), 3, 'both laptops are offered')
  await page.getByLabel('Find hardware').fill('macbook')
  await page.waitForFunction(() => document.querySelectorAll('#fulfil-hardware option').length === 2)
  await select.selectOption({ label: `${chosen.asset_tag} · MacBook Air (M3) · laptop · SN C02-NEW` })
  await page.screenshot({ path: shot('request-fulfil'), fullPage: true })
  await page.getByRole('button', { name: 'Fulfil: assign to Eve Example' }).click()
  await page.getByText('Request fulfilled: the hardware is now assigned to Eve Example.').waitFor()
  t.equal(page.url(), requestUrl)

  // The hardware now shows as Eve's.
  if (app.hasRoute({ method: 'GET', url: '/hardware/:id' })) {
    await page.getByRole('link', { name: `${chosen.asset_tag} MacBook Air` }).click()
    await page.waitForURL(`${origin}/hardware/${chosen.id}`)
    await page.getByText('Assigned to Eve Example').waitFor()
  } else {
    await page.getByText(`${chosen.asset_tag} MacBook Air assigned to Eve Example`).waitFor()
  }
  t.match(await app.registry.hardware.get(ws, chosen.id), { status: 'assigned', assigned_user_id: eve.id })
})
