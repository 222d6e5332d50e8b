// Done when: a new admin imports 1,000 devices and 200 people from Snipe-IT CSV exports in
// Chromium — upload, the columns page, Preview, Import, the counts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { chromiumPath, launchBrowser, noBrowserReason } from './helpers/browser.ts'
import { grantAdminAccess } from '../core/auth/bootstrap.ts'

const SHOTS = process.env.STOCKTAKE_SCREENSHOTS ?? '/tmp'

/** Snipe-IT's user export: 200 people. */
function snipeUsers (): string {
  const lines = ['First Name,Last Name,Email,Username,Employee No.,Title,Department,Location,Manager']
  for (let i = 1; i <= 200; i++) lines.push(`Person${i},Doe,person${i}@acme.test,person${i},E${i},Engineer,Platform,London,`)
  return `${lines.join('\r\n')}\r\n`
}

/** Snipe-IT's custom asset report: 1,000 devices, every fifth checked out to a person, Excel-style (`;`, BOM). */
function snipeAssets (): string {
  const lines = ['Company;Asset Name;Asset Tag;Model;Model No.;Category;Manufacturer;Serial;Purchase Date;Purchase Cost;Location;Checked Out;Email;Status;Warranty;Warranty Expires;Notes']
  for (let i = 1; i <= 1000; i++) {
    const email = i % 5 === 0 ? `person${i / 5}@acme.test` : ''
    lines.push(`Acme;;${String(i).padStart(5, '0')};MacBook Air 13;A2681;Laptops;Apple;SNIPE${String(i).padStart(6, '0')};2024-01-15;1299,00;London;${email ? 'Someone' : ''};${email};Deployed;36;15/01/2027;"bought in bulk;\nsecond line"`)
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`
}

t.test('import 200 people and 1,000 devices from Snipe-IT CSV exports in a browser', { skip: chromiumPath ? false : noBrowserReason }, async t => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stocktake-csv-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(path.join(dir, 'users.csv'), snipeUsers())
  await writeFile(path.join(dir, 'assets.csv'), snipeAssets())
  const { app } = await buildTestApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const access = await grantAdminAccess(app, 'acme', 'admin@acme.test')
  const acme = await app.db('workspaces').where({ slug: 'acme' }).first()

  const browser = await launchBrowser(t.teardown)
  const page = await browser.newPage()
  const confirms: string[] = []
  page.on('dialog', dialog => { confirms.push(dialog.message()); dialog.accept().catch(() => {}) })
  const errors: string[] = []
  page.on('pageerror', err => { errors.push(err.message) })
  const failed: string[] = []
  page.on('response', response => { if (response.status() >= 400) failed.push(`${response.status()} ${new URL(response.url()).pathname}`) })
  const settled = async () => { await page.waitForFunction(() => document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping, .htmx-request') === null) }
  await page.goto(`http://acme.localhost:${port}${new URL(access.signInUrl).pathname}`)
  await page.getByRole('heading', { name: 'Overview' }).waitFor()

  /** From Bulk import: upload the file for `kind`, then Preview and Import on its columns page; the result's text. */
  async function importThrough (kind: string, file: string, expectPreview: string, expectImport: string, shot: string) {
    await page.goto(`http://acme.localhost:${port}/bulk-import`)
    await page.getByRole('heading', { name: 'Import from a CSV file' }).waitFor()
    await page.locator(`#csv-file-${kind}`).setInputFiles(path.join(dir, file))
    await page.locator(`#csv-upload-${kind}`).click()
    await page.getByRole('heading', { name: new RegExp(`^Import .* from ${file}$`) }).waitFor()
    await page.screenshot({ path: `${SHOTS}/csv-import-${shot}-columns.png`, fullPage: true })
    await page.getByRole('button', { name: 'Preview changes' }).click()
    await page.getByText(/Preview completed — nothing was written/).waitFor({ timeout: 60_000 })
    await settled()
    t.match(await page.locator('#csv-run [role=status]').innerText(), expectPreview)
    t.ok(await page.getByText('What the import would write, field by field').isVisible(), 'the planned changes are listed field by field')
    await page.screenshot({ path: `${SHOTS}/csv-import-${shot}-preview.png`, fullPage: true })
    await page.getByRole('button', { name: /^Import \d+ rows$/ }).click()
    await page.getByText(/Import completed/).waitFor({ timeout: 60_000 })
    await settled()
    t.match(await page.locator('#csv-run [role=status]').innerText(), expectImport)
    await page.screenshot({ path: `${SHOTS}/csv-import-${shot}-done.png`, fullPage: true })
  }

  await importThrough('people', 'users.csv', 'An import would make 200 created, 0 updated, 0 unchanged, 0 skipped, 0 errors.',
    'Import completed: 200 created, 0 updated, 0 unchanged, 0 skipped, 0 errors.', 'people')
  await importThrough('hardware', 'assets.csv', 'An import would make 1000 created, 0 updated, 0 unchanged, 0 skipped, 0 errors.',
    'Import completed: 1000 created, 0 updated, 0 unchanged, 0 skipped, 0 errors.', 'hardware')
  t.match(confirms, [/^Import 200 rows of users.csv into People\?/, /^Import 1000 rows of assets.csv into Hardware\?/], 'each import asked first')
  t.equal(Number((await app.db('users').where({ workspace_id: acme.id, role: 'employee' }).count({ n: '*' }))[0].n), 200)
  t.equal(Number((await app.db('hardware').where({ workspace_id: acme.id }).count({ n: '*' }))[0].n), 1000)
  t.equal(Number((await app.db('hardware').where({ workspace_id: acme.id, status: 'assigned' }).count({ n: '*' }))[0].n), 200, 'every fifth device is assigned to its person')
  t.match(await app.db('hardware').where({ workspace_id: acme.id, serial: 'SNIPE000005' }).first(), { name: "Person1's MacBook Air 13", warranty_end: '2027-01-15' })

  await page.goto(`http://acme.localhost:${port}/bulk-import`)
  await page.locator('#bulk-import-csv-hardware').getByText('Import completed: 1000 created').waitFor()
  await page.screenshot({ path: `${SHOTS}/csv-import-bulk-import.png`, fullPage: true })

  // A file that is not CSV: the reason shows in the form, and the page stays.
  await writeFile(path.join(dir, 'book.xlsx'), Buffer.from('PK\x03\x04rest of a workbook', 'latin1'))
  await page.locator('#csv-file-hardware').setInputFiles(path.join(dir, 'book.xlsx'))
  await page.locator('#csv-upload-hardware').click()
  await page.locator('#bulk-import-csv-hardware [data-csv-upload-message]').getByText(/^This is an Excel workbook/).waitFor()
  await page.screenshot({ path: `${SHOTS}/csv-import-refused.png`, fullPage: true })
  // At a phone's width, the columns page keeps its table inside the page.
  await page.setViewportSize({ width: 390, height: 844 })
  await page.locator('#csv-file-people').setInputFiles(path.join(dir, 'users.csv'))
  await page.locator('#csv-upload-people').click()
  await page.getByRole('heading', { name: 'Import People from users.csv' }).waitFor()
  t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling of the page')
  await page.screenshot({ path: `${SHOTS}/csv-import-columns-390.png`, fullPage: true })
  t.same(errors, [], 'no script errors')
  t.same(failed.filter(f => f !== '404 /favicon.ico'), ['422 /bulk-import/csv/hardware/upload'], 'no request failed but the refused upload')
})
