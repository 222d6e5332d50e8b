// Needs review in a browser: a sync whose removals the mass-removal guard held shows "Needs review"
// on its card; the card's Confirm removals (confirmed first) applies them and the badge goes.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { until } from './helpers/wait.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'
import { systemActor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'
import { ACTIVE } from '../core/integrations/runs.ts'
import { routeToFake } from '../core/sdk.ts'
import { startDirectoryFake } from './fixtures/directory-plugin/fake.ts'

const shots = process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'
const DIRECTORY = fileURLToPath(new URL('./fixtures/directory-plugin/', import.meta.url))

t.test('Needs review on the card, then Confirm removals', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const [directory] = await discoverPlugins({ builtinDir: null, pluginDirs: [DIRECTORY] })
  const fake = await startDirectoryFake()
  t.teardown(() => fake.close())
  const { app } = await buildTestApp(t, {}, { plugins: [directory], httpDispatcher: routeToFake(fake.url) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const access = await grantAdminAccess(app, 'acme', 'admin@acme.test')
  const ws = access.workspace
  await allowPrivateHosts(app.db, ws.id, systemActor, [new URL(fake.url).hostname])
  await app.integrations.settings.save(ws.id, systemActor, directory, fake.settings, { enabled: true })
  const syncToEnd = async () => {
    const run = await app.integrations.sync(ws.id, directory.id)
    return await until(async () => {
      await app.integrations.executeNow(ws.id, run.id)
      const r = await app.integrations.run(ws.id, run.id)
      return r && !ACTIVE.includes(r.status) && r
    })
  }
  const names = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth', 'Frances Allen', 'Ken Thompson']
  fake.people.push(...names.map((name, i) => ({ id: `p${i}`, email: `${name.split(' ')[0].toLowerCase()}@acme.test`, first: name.split(' ')[0], last: name.split(' ')[1] })))
  fake.seats.push(...fake.people.map((p, i) => ({ id: `s${i}`, app: 'Figma', email: p.email })))
  await syncToEnd()
  // Three of eight leave the directory at once: 38%, past the 20% guard.
  fake.people.splice(5, 3)
  fake.seats.splice(5, 3)
  t.match(await syncToEnd(), { status: 'succeeded', review: 'pending' })

  const browser = await launchBrowser(t.teardown)
  const page = await browser.newPage()
  const settled = async () => { await page.waitForFunction(() => document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping, .htmx-request') === null) }
  const confirms: string[] = []
  page.on('dialog', dialog => { confirms.push(dialog.message()); dialog.accept().catch(() => {}) })
  await page.goto(`http://acme.localhost:${port}${new URL(access.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.goto(`http://acme.localhost:${port}/settings/integrations`)
  const card = page.locator(`#integration-card-${directory.id}`)
  await card.getByText('Needs review', { exact: true }).waitFor()
  await card.getByText('6 removals wait for review.').waitFor()
  await page.screenshot({ path: `${shots}/integration-needs-review-card.png`, fullPage: true })

  await card.getByRole('link', { name: directory.manifest.name }).click()
  const dialog = page.getByRole('dialog', { name: directory.manifest.name })
  await dialog.waitFor()
  await settled()
  const review = dialog.locator('.integration-review')
  await review.getByText('Donald Knuth: becomes inactive').waitFor()
  await review.getByText('Figma: ken@acme.test: seat revoked').waitFor()
  await page.screenshot({ path: `${shots}/integration-needs-review-modal.png`, fullPage: true })

  await review.getByRole('button', { name: 'Confirm removals' }).click()
  await dialog.getByText('Removed 6 of 6.').waitFor()
  t.match(confirms, [/Apply these removals\? People become inactive and seats are revoked\./], 'Confirm asks first')
  await settled()
  t.equal(await dialog.locator('.integration-review').count(), 0, 'the review panel is gone')
  t.equal(await card.getByText('Needs review', { exact: true }).count(), 0, 'the card behind no longer needs review')
  await page.screenshot({ path: `${shots}/integration-needs-review-confirmed.png`, fullPage: true })
  const inactive = await app.db('users').where({ workspace_id: ws.id, status: 'inactive' }).orderBy('email').pluck('email')
  t.same(inactive, ['donald@acme.test', 'frances@acme.test', 'ken@acme.test'])
})
