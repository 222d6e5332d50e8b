import t from 'tap'
import type { Page } from 'playwright-core'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { systemActor } from '../core/audit/index.ts'

// The pages as a product in Chromium: at 390px (a phone) the header stays compact, nothing makes
// the page scroll sideways and table cells keep a serial or an email whole; a refused form moves
// focus to an error summary that links to each field; every page has its icon (no 404, no console
// error). Screenshots at 1280 and 390 go to $STOCKTAKE_SCREENSHOTS (default /tmp).

const MAIN_PAGES = ['/', '/hardware', '/people', '/software', '/requests', '/requests/new', '/audit', '/settings', '/settings/api', '/settings/integrations', '/account']
const shot = (name: string) => `${process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'}/${name}.png`

t.test('main pages at 1280 and 390 wide, error summary, favicon', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const { app } = await buildTestApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const origin = `http://acme.localhost:${port}`
  const access = await grantAdminAccess(app, 'acme', 'alexandra.administrator@acme-corporation.test', 'super-admin')
  const ws = access.workspace.id
  const pat = await app.registry.people.create(ws, systemActor, { email: 'patricia.longsurname-example@acme-corporation.test', first_name: 'Patricia', last_name: 'Longsurname-Example', department: 'Design' })
  const serial = 'C02XK1Z9JG5H-LONGSERIAL-000123'
  const laptop = await app.registry.hardware.create(ws, systemActor, { serial, name: 'MacBook Pro 14 – Design', category: 'laptop', model: 'MacBookPro18,3' })
  await app.registry.hardware.assign(ws, systemActor, laptop.id, pat.id)
  await app.registry.software.create(ws, systemActor, { name: 'Figma', seats_purchased: 3 })
  await app.registry.requests.create(ws, systemActor, { requester_id: pat.id, category: 'monitor', description: 'A second screen' })

  const browser = await launchBrowser(t.teardown)
  const page = await browser.newPage()
  await page.setViewportSize({ width: 1280, height: 800 })
  const problems: string[] = []
  page.on('console', message => { if (message.type() === 'error') problems.push(`${new URL(page.url()).pathname}: console: ${message.text()}`) })
  page.on('pageerror', error => { problems.push(`${page.url()}: ${error.message}`) })
  page.on('response', res => { if (res.status() >= 400) problems.push(`${res.status()} ${new URL(res.url()).pathname}`) })
  const icons: string[] = []
  page.on('response', res => { if (/favicon/.test(res.url())) icons.push(`${res.status()} ${new URL(res.url()).pathname}`) })

  await page.goto(`${origin}${new URL(access.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()

  for (const path of MAIN_PAGES) {
    await page.goto(`${origin}${path}`)
    const header = await page.evaluate(() => document.querySelector('.topbar')!.getBoundingClientRect().height)
    t.ok(header <= 60, `${path}: the header is one row at 1280px (${Math.round(header)}px), a long email cut short`)
    await page.screenshot({ path: shot(`pages-1280${path.replace(/\//g, '-') || '-home'}`), fullPage: true })
  }
  await page.goto(`${origin}/hardware`)
  t.equal(await linesOf(page, 'MacBookPro18,3'), 1, 'at 1280px a model is not broken mid-token either')
  t.equal(await linesOf(page, serial), 1, 'nor a serial')
  t.equal(await linesOf(page, pat.email), 1, 'nor an email')
  t.ok(icons.length > 0 && icons.every(i => i.startsWith('200 ')), `the icon is served (${icons[0]})`)
  t.equal((await app.inject({ url: '/favicon.ico', headers: { host: 'acme.localhost' } })).headers.location, '/assets/favicon.svg', '/favicon.ico leads to it')

  await page.setViewportSize({ width: 390, height: 844 })
  for (const path of MAIN_PAGES) {
    await page.goto(`${origin}${path}`)
    const layout = await page.evaluate(() => ({
      header: document.querySelector('.topbar')!.getBoundingClientRect().height,
      scrollWidth: document.documentElement.scrollWidth
    }))
    t.ok(layout.header <= 100, `${path}: the header is ${Math.round(layout.header)}px high at 390px`)
    t.ok(layout.scrollWidth <= 390, `${path}: the page does not scroll sideways (${layout.scrollWidth}px)`)
    await page.screenshot({ path: shot(`pages-390${path.replace(/\//g, '-') || '-home'}`), fullPage: true })
  }

  // Tables keep tokens whole at 390px: the serial and the email are each on one line.
  await page.goto(`${origin}/hardware`)
  t.equal(await linesOf(page, serial), 1, 'the serial is not broken in the hardware table')
  await page.goto(`${origin}/people`)
  t.equal(await linesOf(page, pat.email), 1, 'the email is not broken in the people table')
  t.same(problems, [], 'no console error and no failed request on the main pages')

  // A refused form: focus moves to the summary, whose links lead to the fields.
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 })
    await page.goto(`${origin}/settings/api`)
    await page.getByRole('button', { name: 'Create token' }).click()
    const summary = page.locator('.error-summary')
    await summary.waitFor()
    t.ok(await summary.evaluate(el => el === document.activeElement), `${width}: the error summary has focus`)
    t.equal(await summary.getAttribute('role'), 'alert')
    t.match(await summary.locator('h2').textContent(), 'The token was not created', "its title is the form's banner")
    const link = summary.getByRole('link', { name: /Give the token a name/ })
    t.equal(await link.getAttribute('href'), '#token-name', 'it links to the field in error')
    await page.screenshot({ path: shot(`pages-${width}-error-summary`), fullPage: false })
    await link.click()
    t.equal(await page.evaluate(() => document.activeElement?.id), 'token-name', 'the link moves focus to the field')
    t.equal(await page.locator('.error-summary').count(), 1, 'one summary')
  }

  // In a dialog swapped in by htmx (an integration's settings), the summary heads the dialog's form.
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(`${origin}/settings/integrations`)
  await page.getByRole('link', { name: 'Slack', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Slack' })
  await dialog.getByLabel('Webhook URL').fill('https://example.com/not-slack')
  await dialog.getByRole('button', { name: 'Save changes' }).click()
  const inDialog = dialog.locator('.error-summary')
  await inDialog.waitFor()
  t.ok(await inDialog.evaluate(el => el === document.activeElement), 'the summary in the dialog has focus')
  await inDialog.getByRole('link', { name: /Webhook URL/ }).click()
  t.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'webhookUrl', 'its link leads to the field')
  await page.screenshot({ path: shot('pages-1280-dialog-error-summary') })

  // Withdrawing one's own request, at 390px: confirmed, then shown as Withdrawn.
  const me = await app.db('users').where({ workspace_id: ws, email: access.email }).first()
  const own = await app.registry.requests.create(ws, systemActor, { requester_id: me.id, category: 'headset' })
  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto(`${origin}/requests/${own.id}`)
  await page.screenshot({ path: shot('pages-390-request-withdraw'), fullPage: true })
  page.once('dialog', dialog => { dialog.accept().catch(() => {}) })
  await page.getByRole('button', { name: 'Withdraw request' }).click()
  await page.getByText('Request withdrawn.').waitFor()
  t.equal(await page.locator('h1 .badge').textContent(), 'Withdrawn')
  await page.screenshot({ path: shot('pages-390-request-withdrawn'), fullPage: true })

  // A register form with several fields in error: one link each, in the order of the form.
  await page.goto(`${origin}/hardware/new`)
  await page.getByRole('button', { name: 'Register hardware' }).click()
  await page.locator('.error-summary').waitFor()
  const hrefs = await page.locator('.error-summary a').evaluateAll(links => links.map(a => a.getAttribute('href')))
  t.same(hrefs, ['#hw-serial', '#hw-name'], 'the serial and the name')
  t.ok(await page.locator('.error-summary').evaluate(el => el === document.activeElement), 'focused')
  await page.screenshot({ path: shot('pages-390-hardware-error-summary'), fullPage: false })
})

/** On how many lines `text` is laid out on the page (its first occurrence in a table cell). */
async function linesOf (page: Page, text: string): Promise<number> {
  return await page.evaluate(text => {
    const cell = [...document.querySelectorAll('td, th')].find(c => c.textContent?.includes(text))
    if (!cell) return -1
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent!.indexOf(text)
      if (at < 0) continue
      const range = document.createRange()
      range.setStart(node, at)
      range.setEnd(node, at + text.length)
      return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size
    }
    return -1
  }, text)
}
