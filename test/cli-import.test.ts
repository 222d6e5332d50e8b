// `npx stocktake import`: the real CLI on an embedded database on disk — a preview that writes
// nothing, an import, a re-import that changes nothing, line-numbered errors, and refusals with
// exit code 2. Each CLI start takes seconds, hence the timeout.
import t from 'tap'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runToEnd } from './helpers/process.ts'

t.setTimeout(600_000)
const cli = (args: string[], env: Record<string, string>) => runToEnd('node', ['scripts/stocktake.js', ...args], env)
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/csv/${name}`, import.meta.url))
const lastLine = (output: string) => JSON.parse(output.trim().split('\n').pop()!)

t.test('stocktake import previews and imports a CSV file and prints its counts as JSON', async t => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stocktake-cli-import-'))
  t.teardown(async () => { await fs.rm(dataDir, { recursive: true, force: true }) })
  const env = { DATABASE_URL: '', STOCKTAKE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }
  t.equal((await cli(['create-admin', '--workspace', 'acme', '--email', 'admin@acme.test'], env)).code, 0)

  const people = await cli(['import', 'people', fixture('snipeit-users.csv'), '--workspace', 'acme'], env)
  t.equal(people.code, 0, people.output)
  t.match(lastLine(people.output), { kind: 'people', file: 'snipeit-users.csv', status: 'succeeded', dryRun: false, rows: 2, read: 2, created: 2, errors: 0 })

  const preview = await cli(['import', 'hardware', fixture('bad-date.csv'), '--workspace', 'acme', '--dry-run'], env)
  t.equal(preview.code, 0, preview.output)
  t.match(lastLine(preview.output), { status: 'succeeded', dryRun: true, rows: 3, created: 1, errors: 2 })
  t.match(preview.output, 'Line 3: Warranty ends (column "Warranty ends"): "31/13/2027" is not a date; expected YYYY-MM-DD or DD/MM/YYYY')
  const run = await cli(['import', 'hardware', fixture('bad-date.csv'), '--workspace', 'acme'], env)
  t.match(lastLine(run.output), { status: 'succeeded', dryRun: false, created: 1, errors: 2 }, 'the preview wrote nothing')

  const xlsx = await cli(['import', 'hardware', fixture('not-csv.xlsx'), '--workspace', 'acme'], env)
  t.equal(xlsx.code, 2)
  t.match(xlsx.output, /not-csv\.xlsx: This is an Excel workbook \(\.xlsx\) or another zip archive, not a CSV file/)
  const kind = await cli(['import', 'printers', fixture('seats.csv'), '--workspace', 'acme'], env)
  t.equal(kind.code, 2)
  t.match(kind.output, 'import needs what to import first: hardware, people, seats (got "printers")')
  const columns = await cli(['import', 'seats', fixture('blank-keep.csv'), '--workspace', 'acme'], env)
  t.equal(columns.code, 2)
  t.match(columns.output, /Software: choose the column it is in.*The file's columns are: "Serial number", "Model", "Manufacturer", "OS version"/)
  const format = await cli(['import', 'seats', fixture('seats.csv'), '--workspace', 'acme', '--date-format', 'D/M/Y'], env)
  t.equal(format.code, 2)
  t.match(format.output, '--date-format must be one of DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY, YYYY-MM-DD')
  const missing = await cli(['import', 'seats', path.join(dataDir, 'nope.csv'), '--workspace', 'acme'], env)
  t.equal(missing.code, 2)
  t.match(missing.output, 'nope.csv: no such file')
})
