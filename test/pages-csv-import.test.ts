// Admin → Bulk import → Import from a CSV file, over real HTTP requests: the template, the upload
// (the file as the body, CSRF-checked, refused with problem+json and a reason), the columns page,
// a changed mapping, Preview and Import in the run area, the failed rows page, roles and workspaces.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { systemActor } from '../core/audit/index.ts'
import { buildTestApp } from './helpers/app.ts'
import { signIn, type TestSession } from './helpers/session.ts'

const HX = { 'hx-request': 'true' }
const { app, workspace } = await buildTestApp(t, { STOCKTAKE_CSV_MAX_MB: '1' })
const acme = await workspace('acme')
const other = await workspace('other')
const member = async (ws: string, email: string, role: string) => (await app.db('users').insert({ workspace_id: ws, email, role }).returning('*'))[0]
const admin = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: (await member(acme.id, 'adam@acme.test', 'admin')).id })
const employee = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: (await member(acme.id, 'emma@acme.test', 'employee')).id })
const outsider = await signIn(app, { slug: 'other', workspaceId: other.id, userId: (await member(other.id, 'olga@other.test', 'admin')).id })
await app.registry.people.create(acme.id, systemActor, { email: 'pat@acme.test', first_name: 'Pat' })
const fixture = async (name: string) => await readFile(fileURLToPath(new URL(`./fixtures/csv/${name}`, import.meta.url)))

async function upload (session: TestSession, kind: string, body: Buffer | string, name = 'file.csv', csrf = true) {
  return await session.inject({
    method: 'POST',
    url: `/bulk-import/csv/${kind}/upload`,
    payload: body,
    headers: { 'content-type': 'text/csv', 'x-filename': encodeURIComponent(name), ...(csrf ? { 'x-csrf-token': await session.csrfToken('/bulk-import') } : {}) }
  })
}

async function poll (session: TestSession, html: string): Promise<string> {
  const started = Date.now()
  for (;;) {
    const url = /hx-get="(\/bulk-import\/csv-[a-z]+\/runs\/[^"]+)"/.exec(html)?.[1]
    if (url === undefined) return html
    if (Date.now() - started > 45_000) throw new Error('the run did not finish')
    await new Promise(resolve => setTimeout(resolve, 150))
    html = (await session.get(url, HX)).body
  }
}

t.test('the Bulk import page offers each kind with its template', async t => {
  const page = await admin.get('/bulk-import')
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Import from a CSV file')
  for (const kind of ['hardware', 'people', 'seats']) t.match(page.body, `action="/bulk-import/csv/${kind}/upload"`)
  const template = await admin.get('/bulk-import/csv/hardware/template.csv')
  t.equal(template.statusCode, 200)
  t.match(template.headers['content-type'], 'text/csv')
  t.match(template.headers['content-disposition'], 'attachment; filename="stocktake-hardware-template.csv"')
  t.equal(template.body.split('\r\n')[0], '\uFEFFSerial number,Name,Manufacturer,Model,Operating system,OS version,MAC address,Assignee email,Warranty ends')
  t.equal((await admin.get('/bulk-import/csv/printers/template.csv')).statusCode, 404)
})

t.test('upload, check the columns, change one, preview, import, see the counts and the failed rows', async t => {
  const csv = Buffer.concat([await fixture('snipeit-hardware.csv'), Buffer.from('Acme,Broken,0003,X,,,,BRK-1,,,,,,,,2027-99-01,\n')])
  const res = await upload(admin, 'hardware', csv, 'assets (Snipe-IT).csv')
  t.equal(res.statusCode, 201, res.body)
  const location = res.json().location as string
  t.match(location, /^\/bulk-import\/csv\/uploads\/[0-9a-f-]{36}$/)

  const page = await admin.get(location)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Import Hardware from assets (Snipe-IT).csv')
  t.match(page.body, '3 rows, columns separated by commas')
  t.match(page.body, /<select id="map-serial" name="map.serial">[\s\S]*?<option value="7" selected>Serial<\/option>/)
  t.match(page.body, /<select id="map-name" name="map.name">[\s\S]*?<option value="1" selected>Asset Name<\/option>/)
  t.match(page.body, '<code>C02SNIPE01</code>', 'the first row shows as an example')
  t.equal((await outsider.get(location)).statusCode, 404, 'another workspace\'s admin does not find it')
  t.equal((await employee.get(location)).statusCode, 403)

  const mapping = { 'map.serial': '7', 'map.name': '', 'map.manufacturer': '6', 'map.model': '3', 'map.assignedUserEmail': '12', 'map.warrantyEnd': '15', date_format: 'DD/MM/YYYY' }
  const missing = await admin.post(`${location}/preview`, { ...mapping, 'map.serial': '' }, { headers: HX })
  t.equal(missing.statusCode, 422)
  t.match(missing.body, 'Nothing was previewed: Serial number: choose the column it is in')
  const noJs = await admin.post(`${location}/preview`, { ...mapping, 'map.serial': '' })
  t.equal(noJs.statusCode, 422)
  t.match(noJs.body, /aria-invalid="true" aria-describedby="map-serial-error"/, 'without htmx the page comes back with the field marked')

  const preview = await poll(admin, (await admin.post(`${location}/preview`, mapping, { headers: HX })).body)
  t.match(preview, 'Preview completed — nothing was written. An import would make 2 created, 0 updated, 0 unchanged, 0 skipped, 1 errors.')
  t.match(preview, 'What the import would write, field by field')
  t.notMatch(preview, 'Pat laptop', 'the name column was set to "not imported"')
  t.equal((await app.db('hardware').where({ workspace_id: acme.id })).length, 0)

  const done = await poll(admin, (await admin.post(`${location}/import`, mapping, { headers: HX })).body)
  t.match(done, 'Import completed: 2 created, 0 updated, 0 unchanged, 0 skipped, 1 errors.')
  const errorsUrl = /href="(\/bulk-import\/csv-hardware\/runs\/[^"]+\/errors)"/.exec(done)?.[1]
  const errors = await admin.get(errorsUrl!)
  t.match(errors.body, /<td><code>line 4<\/code><\/td><td>Line 4: Warranty ends \(column &quot;Warranty Expires&quot;\): &quot;2027-99-01&quot; is not a date/)
  t.match(errors.body, 'Fix these lines in the file')
  const rows = await app.db('hardware').where({ workspace_id: acme.id }).orderBy('serial')
  t.same(rows.map(r => [r.serial, r.name]), [['C02SNIPE01', "Pat's MacBook Pro 14"], ['PF-SNIPE-02', 'ThinkPad T14']])
  t.equal((await admin.get(location)).statusCode, 404, 'the imported file is no longer kept')
  t.match((await admin.get('/bulk-import')).body, 'Import completed: 2 created', 'Bulk import shows the last run of the kind')
})

t.test('a refused file gets problem+json with the reason; nothing is kept', async t => {
  const refused = async (body: Buffer | string, status: number, detail: RegExp | string) => {
    const res = await upload(admin, 'people', body)
    t.equal(res.statusCode, status, res.body)
    t.match(res.headers['content-type'], 'application/problem+json')
    t.match(res.json().detail, detail)
  }
  await refused(await fixture('not-csv.xlsx'), 422, /^This is an Excel workbook/)
  await refused(Buffer.alloc(0), 422, /^The file is empty/)
  await refused(await fixture('header-only.csv'), 422, /header line but no rows/)
  await refused(Buffer.alloc(1024 * 1024 + 10, 'a'), 413, /^The file is larger than 1 MB/)
  t.equal((await upload(admin, 'people', 'Email\na@acme.test\n', 'x.csv', false)).statusCode, 403, 'CSRF-checked')
  t.equal((await upload(employee, 'people', 'Email\na@acme.test\n')).statusCode, 403, 'admins only')
  const multipart = await admin.inject({ method: 'POST', url: '/bulk-import/csv/people/upload', payload: '--x\r\n\r\n--x--', headers: { 'content-type': 'multipart/form-data; boundary=x', 'x-csrf-token': await admin.csrfToken('/bulk-import') } })
  t.equal(multipart.statusCode, 415)
  t.match(multipart.json().detail, 'needs JavaScript')
  t.equal(Number((await app.db('csv_uploads').count({ n: '*' }))[0].n), 0)
})

t.test("Stocktake's own hardware and people exports import back with every column matched, and change nothing", async t => {
  for (const [kind, url, fields] of [['hardware', '/hardware.csv', 9], ['people', '/people.csv', 11]] as const) {
    const exported = await admin.get(url)
    t.equal(exported.statusCode, 200)
    const res = await upload(admin, kind, exported.rawPayload, `${kind}.csv`)
    t.equal(res.statusCode, 201, res.body)
    const uploadId = res.json().location.split('/').pop()
    const stored = await app.csvImports.find(acme.id, uploadId)
    t.equal(Object.keys(stored!.mapping).length, fields, `every field of ${kind} is matched by the export's headers`)
    const done = await poll(admin, (await admin.post(`${res.json().location}/import`, { date_format: 'DD/MM/YYYY', ...Object.fromEntries(Object.entries(stored!.mapping).map(([k, v]) => [`map.${k}`, String(v)])) }, { headers: HX })).body)
    t.match(done, /Import completed: 0 created, 0 updated, \d+ unchanged, 0 skipped, 0 errors\./, `${kind}: nothing changes`)
  }
})
