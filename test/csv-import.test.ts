// CSV import, end to end through the real upload, run and importers: Snipe-IT's and Excel's files,
// line-numbered errors, blank cells keeping stored values, files refused with a reason, the file kept
// only while needed.
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { Actor } from '../core/audit/index.ts'
import { CsvFileError, type CsvKind, type CsvUpload } from '../core/csv-import/index.ts'
import { sweepUploads } from '../core/csv-import/uploads.ts'
import { ACTIVE, type RunRow } from '../core/integrations/runs.ts'
import { buildTestApp } from './helpers/app.ts'
import { until } from './helpers/wait.ts'

const { app, workspace } = await buildTestApp(t, { STOCKTAKE_CSV_MAX_MB: '1' })
const acme = (await workspace('acme')).id
const other = (await workspace('other')).id
const actor: Actor = { type: 'user', id: null, label: 'adam@acme.test' }
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/csv/${name}`, import.meta.url))
const stored = async () => Number((await app.db('csv_uploads').count({ n: '*' }))[0].n) + Number((await app.db('csv_upload_chunks').count({ n: '*' }))[0].n)

async function upload (kind: CsvKind, name: string, ws = acme) {
  return await app.csvImports.upload(ws, actor, kind, name, createReadStream(fixture(name)))
}

/** Uploads (unless given the upload), then previews or imports to the end; the run as it ended. */
async function importFile (kind: CsvKind, name: string, dryRun = false, uploaded?: CsvUpload): Promise<RunRow> {
  const file = uploaded ?? await upload(kind, name)
  const queued = await app.csvImports.start(acme, actor, file, { dryRun })
  await app.integrations.executeNow(acme, queued.id)
  return await until(async () => {
    const run = await app.integrations.run(acme, queued.id)
    return run && !ACTIVE.includes(run.status) ? run : null
  })
}

t.test('a Snipe-IT asset export: its headers are recognised, Preview writes nothing, Import creates and assigns', async t => {
  await app.registry.people.create(acme, actor, { email: 'pat@acme.test', first_name: 'Pat' })
  const file = await upload('hardware', 'snipeit-hardware.csv')
  t.same(file.mapping, { serial: 7, name: 1, manufacturer: 6, model: 3, assignedUserEmail: 12, warrantyEnd: 15 })
  t.equal(file.rows, 2)
  t.equal(await app.csvImports.find(other, file.id), undefined, 'another workspace does not see the file')

  const preview = await importFile('hardware', 'snipeit-hardware.csv', true, file)
  t.match(preview, { status: 'succeeded', dry_run: true, read: 2, created: 2, errors: 0 })
  t.match(preview.preview[0], { action: 'create', externalId: 'C02SNIPE01', changes: { serial: { new: 'C02SNIPE01' }, model: { new: 'MacBook Pro 14' }, warranty_end: { new: '2026-01-15' }, assigned_to: { new: 'pat@acme.test' } } })
  t.equal((await app.db('hardware').where({ workspace_id: acme })).length, 0, 'the preview wrote nothing')

  t.ok(await app.csvImports.find(acme, file.id), 'a previewed file is kept for its import')
  const run = await importFile('hardware', 'snipeit-hardware.csv', false, file)
  t.match(run, { status: 'succeeded', read: 2, created: 2, updated: 0, errors: 0 })
  t.equal(await app.csvImports.find(acme, file.id), undefined, 'an imported file is deleted once read to the end')
  const rows = await app.db('hardware').where({ workspace_id: acme }).orderBy('serial')
  t.match(rows.map(r => [r.serial, r.manufacturer, r.model, r.warranty_end, r.status, r.source]), [
    ['C02SNIPE01', 'Apple', 'MacBook Pro 14', '2026-01-15', 'assigned', 'csv-hardware'],
    ['PF-SNIPE-02', 'Lenovo', 'ThinkPad T14', null, 'available', 'csv-hardware']
  ])
  t.equal(rows[0].acknowledgement_note, 'Imported from CSV file (hardware)', 'the assignment says where it came from')
  const again = await importFile('hardware', 'snipeit-hardware.csv')
  t.match(again, { status: 'succeeded', created: 0, updated: 0, unchanged: 2 }, 'an unchanged file writes nothing')
  const audit = await app.db('audit_log').where({ workspace_id: acme }).whereIn('action', ['csv.uploaded', 'csv.import_started', 'integration.synced']).orderBy('id')
  t.match(audit.slice(-3).map(a => [a.action, a.actor_label]), [['csv.uploaded', 'adam@acme.test'], ['csv.import_started', 'adam@acme.test'], ['integration.synced', 'CSV file (hardware)']])
  t.match(audit.at(-1).details, { created: 0, unchanged: 2, run_id: again.id })
  t.equal(await stored(), 0, 'nothing of the files is kept')
})

t.test("Excel's CSV: a byte-order mark, `;`, CRLF, a quoted line break and dates in the workspace's format", async t => {
  const run = await importFile('hardware', 'excel-semicolon-bom.csv')
  t.match(run, { status: 'succeeded', read: 2, created: 2, errors: 0 })
  const rows = await app.db('hardware').where({ workspace_id: acme }).whereIn('serial', ['XL-001', 'XL-002']).orderBy('serial')
  t.same(rows.map(r => [r.serial, r.name, r.model, r.warranty_end]), [
    ['XL-001', 'Reception\r\niMac', 'iMac 24', '2027-12-31'],
    ['XL-002', 'Loan laptop', 'Latitude 5440', '2027-06-30']
  ])
})

t.test("an upload reads dates in the workspace's format (Settings → Workspace) until the admin picks another", async t => {
  t.equal((await upload('hardware', 'blank-keep.csv')).date_format, 'DD/MM/YYYY', 'an ISO workspace: the upload\'s default')
  await app.db('workspaces').where({ id: acme }).update({ date_format: 'mdy' })
  t.teardown(async () => { await app.db('workspaces').where({ id: acme }).update({ date_format: 'iso' }) })
  t.equal((await upload('hardware', 'blank-keep.csv')).date_format, 'MM/DD/YYYY', 'a month-first workspace: month-first')
})

t.test('a bad date is that row\'s error, with its line number and column; the other rows are imported', async t => {
  const run = await importFile('hardware', 'bad-date.csv')
  t.match(run, { status: 'succeeded', read: 3, created: 1, errors: 2 })
  t.same(run.error_details, [
    { externalId: 'line 3', reason: 'Line 3: Warranty ends (column "Warranty ends"): "31/13/2027" is not a date; expected YYYY-MM-DD or DD/MM/YYYY' },
    { externalId: 'line 4', reason: 'Line 4: Warranty ends (column "Warranty ends"): "2027-02-30" is not a date; expected YYYY-MM-DD or DD/MM/YYYY' }
  ])
})

t.test('a blank cell keeps the stored value', async t => {
  await app.registry.hardware.create(acme, actor, { serial: 'keep-1', name: 'Kept', model: 'MacBook Pro', manufacturer: 'Apple', os_version: '14.0' })
  const run = await importFile('hardware', 'blank-keep.csv')
  t.match(run, { status: 'succeeded', created: 0, updated: 1, errors: 0 })
  const row = await app.db('hardware').where({ workspace_id: acme, serial: 'keep-1' }).first()
  t.match(row, { model: 'MacBook Pro', manufacturer: 'Apple', os_version: '15.1', name: 'Kept' }, 'matched whatever the serial\'s case; the blank model kept')
})

t.test('a Snipe-IT user export and a seats file go through the people and seat importers', async t => {
  const people = await importFile('people', 'snipeit-users.csv')
  t.match(people, { status: 'succeeded', read: 2, errors: 0 })
  const sam = await app.db('users').where({ workspace_id: acme }).whereRaw('lower(email) = ?', ['sam@acme.test']).first()
  t.match(sam, { first_name: 'Sam', last_name: 'Roe', job_title: 'Engineer', department: 'Platform', location: 'Paris', role: 'employee', source: 'csv-people' })
  t.match(await app.db('users').where({ workspace_id: acme, email: 'pat@acme.test' }).first(), { last_name: 'Doe', job_title: 'Designer' }, 'a known person is updated by email')
  t.match(await importFile('people', 'snipeit-users.csv'), { created: 0, updated: 0, unchanged: 2 })

  const seats = await importFile('seats', 'seats.csv')
  t.match(seats, { status: 'succeeded', read: 3, created: 3, errors: 0 })
  const held = await app.db('software_assignments as a').join('software as s', 's.id', 'a.software_id').where('a.workspace_id', acme)
    .orderBy(['s.name', 'a.external_email']).select('s.name', 'a.user_id', 'a.external_email', 'a.last_active_at')
  t.match(held.map(h => [h.name, h.user_id === null ? h.external_email : 'person', h.last_active_at?.toISOString() ?? null]), [
    ['Figma', 'outside@partner.test', null], ['Figma', 'person', '2026-11-30T09:15:00.000Z'], ['Slack', 'person', '2026-11-30T00:00:00.000Z']
  ])
  t.match(await importFile('seats', 'seats.csv'), { created: 0, unchanged: 3 }, 'seats are matched by title and holder')
})

t.test('a file that is not CSV, empty, only a header, or too large is refused with a reason, and nothing is kept', async t => {
  const before = await stored()
  const refused = async (name: string, body?: AsyncIterable<Buffer>) =>
    await app.csvImports.upload(acme, actor, 'hardware', name, body ?? createReadStream(fixture(name))).then(() => null, (err: unknown) => err)
  t.match(await refused('not-csv.xlsx'), { name: 'CsvFileError', message: /^This is an Excel workbook \(.xlsx\) or another zip archive, not a CSV file\. .*CSV UTF-8/, status: 422 })
  t.match(await refused('empty.csv'), { message: /^The file is empty/ })
  t.match(await refused('header-only.csv'), { message: 'The file has a header line but no rows below it: there is nothing to import.' })
  const big = (async function * () {
    yield Buffer.from('Serial number,Name\n')
    for (let i = 0; i < 30_000; i++) yield Buffer.from(`SERIAL-${i},A device with a long enough name\n`)
  })()
  const tooLarge = await refused('big.csv', big)
  t.ok(tooLarge instanceof CsvFileError)
  t.match(tooLarge, { status: 413, message: /^The file is larger than 1 MB, the most one import takes/ })
  t.match(await refused('unicode.txt', (async function * () { yield Buffer.from('\uFEFFSerial number\tName\nA1\tMac\n', 'utf16le') })()), { message: /^This is UTF-16 text \(Excel's "Unicode Text"\), not a CSV file/ })
  t.match(await refused('latin1.csv', (async function * () { yield Buffer.from('Serial number,Name\nA1,Caf\xe9\n', 'latin1') })()), { message: /^The file is not UTF-8 text/ })
  t.match(await refused('quote.csv', (async function * () { yield Buffer.from('Serial number,Name\nA1,"never closed\n') })()), { message: /^This is not a CSV file we can read \(line \d\): a quoted cell is never closed/ })
  t.equal(await stored(), before, 'no refused file is kept')
})

t.test('the mapping the admin changes is checked: a required field needs a column', async t => {
  const file = await upload('hardware', 'snipeit-hardware.csv')
  await t.rejects(app.csvImports.start(acme, actor, file, { dryRun: true, mapping: { name: 1 } }), { name: 'CsvMappingError', fields: { serial: /^Serial number: choose the column it is in/ } })
  await t.rejects(app.csvImports.start(acme, actor, file, { dryRun: true, mapping: { serial: 99 } }), { name: 'CsvMappingError', fields: { serial: 'serial: the file has no column 100.' } })
})

t.test('files nobody imports are deleted after a day; an upload a crash left half-stored after an hour', async t => {
  const file = await upload('hardware', 'snipeit-hardware.csv')
  const [half] = await app.db('csv_uploads').insert({ workspace_id: acme, kind: 'hardware', filename: 'half.csv', uploaded_by: 'x', created_at: app.db.raw("now() - interval '2 hours'") }).returning('id')
  await app.db('csv_upload_chunks').insert({ workspace_id: acme, upload_id: half.id, seq: 0, data: await readFile(fixture('seats.csv')) })
  t.equal(await sweepUploads(app.db), 1, 'the half-stored upload goes')
  t.ok(await app.csvImports.find(acme, file.id), 'a file uploaded today stays')
  await app.db('csv_uploads').where({ id: file.id }).update({ expires_at: app.db.raw("now() - interval '1 second'") })
  await sweepUploads(app.db)
  t.equal(await app.csvImports.find(acme, file.id), undefined, 'a day later it is gone')
  t.equal(Number((await app.db('csv_upload_chunks').where({ upload_id: file.id }).count({ n: '*' }))[0].n), 0, 'with its chunks')
})

t.test('an import whose file is gone fails with a reason, not a crash', async t => {
  const file = await upload('hardware', 'blank-keep.csv')
  const queued = await app.csvImports.start(acme, actor, file, { dryRun: false })
  await app.db('csv_uploads').where({ id: file.id }).delete()
  await app.integrations.executeNow(acme, queued.id)
  const run = await until(async () => { const r = await app.integrations.run(acme, queued.id); return r && !ACTIVE.includes(r.status) ? r : null })
  t.match(run, { status: 'failed', message: /The uploaded file is no longer kept .*upload it again/ })
})

t.test('an import whose worker died resumes after the last line it checkpointed, and its file is kept until then', async t => {
  const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `RESUME-${from + i},Model ${from + i}\n`).join('')
  const stream = (text: string) => (async function * () { yield Buffer.from(text) })()
  // The first 1,000 rows were written before the crash (as the run's first chunk would have been).
  const firstPart = await app.csvImports.upload(acme, actor, 'hardware', 'part.csv', stream(`Serial number,Model\n${lines(1, 1000)}`))
  t.match(await importFile('hardware', 'part.csv', false, firstPart), { status: 'succeeded', created: 1000 })
  const file = await app.csvImports.upload(acme, actor, 'hardware', 'all.csv', stream(`Serial number,Model\n${lines(1, 2500)}`))
  // A run of the whole file whose worker stopped after its first chunk: its lease lapsed, its checkpoint at line 1001.
  const [run] = await app.db('integration_runs').insert({
    workspace_id: acme, plugin_id: 'csv-hardware', kind: 'sync', status: 'running', read: 1000, created: 1000, lease_id: crypto.randomUUID(), lease_until: app.db.raw("now() - interval '1 minute'")
  }).returning('*')
  await app.db('csv_uploads').where({ id: file.id }).update({ run_id: run.id })
  await app.db('integration_state').insert({ workspace_id: acme, plugin_id: 'csv-hardware', sync_id: 'hardware', checkpoint: JSON.stringify({ upload: file.id, line: 1001 }) })

  await app.jobs.sweep()
  t.match(await app.integrations.run(acme, run.id), { status: 'queued', attempt: 2 }, 'the sweep hands the run back to be resumed')
  await app.integrations.executeNow(acme, run.id)
  const ended = await until(async () => { const r = await app.integrations.run(acme, run.id); return r && !ACTIVE.includes(r.status) ? r : null })
  t.match(ended, { status: 'succeeded', read: 2500, created: 2500, unchanged: 0, errors: 0 }, 'lines after the checkpoint only: none read twice')
  t.equal(Number((await app.db('hardware').where({ workspace_id: acme }).whereLike('serial', 'RESUME-%').count({ n: '*' }))[0].n), 2500)
  t.equal(await app.csvImports.find(acme, file.id), undefined, 'read to the end, the file is deleted')
})
