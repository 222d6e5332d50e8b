import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { systemActor } from '../core/audit/index.ts'

t.test('add a person, register hardware, assign it to them, see it on their page and in the audit log', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const { app } = await buildTestApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const origin = `http://acme.localhost:${port}`
  const access = await grantAdminAccess(app, 'acme', 'admin@acme.test', 'it-admin')
  const ws = access.workspace.id
  await app.registry.people.create(ws, systemActor, { email: 'quinn@acme.test', first_name: 'Quinn', last_name: 'Jones', department: 'Design' })
  const shot = (name: string) => `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/${name}.png`

  const browser = await launchBrowser(t.teardown)
  const page = await browser.newPage()
  await page.goto(`${origin}${new URL(access.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()

  // The person, through the form: a refusal keeps what was typed and marks the field.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click()
  await page.getByRole('heading', { name: 'People', exact: true }).waitFor()
  await page.getByRole('link', { name: 'Add a person' }).click()
  await page.getByLabel('First name').fill('Nia')
  await page.getByLabel('Last name').fill('Novak')
  await page.getByLabel('Email').fill('nia@')
  await page.getByLabel('Department').fill('Design')
  await page.getByRole('button', { name: 'Add person' }).click()
  await page.locator('.field-error', { hasText: 'Email must be a valid email address.' }).waitFor() // beside the field (the error summary repeats it)
  t.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true', 'the email is marked invalid')
  t.equal(await page.getByLabel('First name').inputValue(), 'Nia', 'the input is kept')
  await page.getByLabel('Email').fill('nia@acme.test')
  await page.getByLabel('Manager').fill('quinn@acme.test')
  await page.getByLabel('Start date').fill('2024-09-02')
  await page.getByRole('button', { name: 'Add person' }).click()
  await page.getByText('Added Nia Novak.').waitFor()
  const personUrl = page.url()
  t.match(new URL(personUrl).pathname, /^\/people\/[0-9a-f-]{36}$/, 'lands on their page')
  t.match(await page.getByRole('region', { name: 'Details' }).innerText(), /Manager\s+Quinn Jones/)

  // Hardware, registered and assigned to her.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Hardware' }).click()
  await page.getByRole('link', { name: 'Register hardware' }).click()
  await page.getByLabel('Serial number').fill('C02-NIA-1')
  await page.getByLabel('Name').fill('MacBook Air 13')
  await page.getByLabel('Category').fill('laptop')
  await page.getByRole('button', { name: 'Register hardware' }).click()
  await page.getByText('Registered ACME-000001 MacBook Air 13.').waitFor()
  await page.getByLabel('Person').fill('nia@acme.test')
  await page.getByRole('button', { name: 'Assign' }).click()
  await page.getByText('ACME-000001 is now assigned to Nia Novak.').waitFor()

  // Her page shows it, linked to the hardware.
  await page.goto(personUrl)
  const held = page.getByRole('region', { name: 'Hardware held' })
  t.match(await held.innerText(), /ACME-000001 MacBook Air 13/, 'the hardware she holds')
  await page.screenshot({ path: shot('person-detail'), fullPage: true })

  // The list finds her by department, through htmx, without leaving the page.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click()
  await page.evaluate(() => { Object.assign(window, { sameDocument: true }) })
  await page.getByLabel('Search').fill('design nia')
  await page.waitForURL(/q=design(%20|\+)nia/)
  t.match(await page.locator('#people-rows tr').first().innerText(), /Nia Novak[\s\S]*1 hardware/, 'found by her department and name')
  t.equal(await page.locator('#people-rows tr').count(), 1)
  t.ok(await page.evaluate(() => 'sameDocument' in window), 'filtered without loading a new page')
  await page.screenshot({ path: shot('people-list'), fullPage: true })

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click()
  await page.getByRole('heading', { name: 'Audit log' }).waitFor()
  t.match(await page.locator('#audit-results tbody tr').first().innerText(), /hardware\.assigned[\s\S]*ACME-000001 MacBook Air 13/, 'the assignment is the newest audit entry')
  t.match(await page.locator('#audit-results tbody').innerText(), /person\.created[\s\S]*Nia Novak/, 'and the person\'s creation before it')

  await page.goto(personUrl)
  await held.getByRole('link', { name: 'ACME-000001' }).click()
  await page.waitForURL(/\/hardware\/[0-9a-f-]{36}$/)
  await page.getByText('Assigned to Nia Novak').waitFor()
})
