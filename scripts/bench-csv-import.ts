// Measures a CSV import of hardware end to end, through the same code path as Admin → Bulk import
// and `npx stocktake import`: the file streamed into storage and read through (the upload), then
// the run of the CSV source (parse, map, validate, the device importer's set-based batches).
//
//   npx tsx scripts/bench-csv-import.ts [--rows N] [--json]
//   DATABASE_URL=postgres://… npx tsx scripts/bench-csv-import.ts …   # a scratch database on that server, dropped after
//
// The file is generated first (Snipe-IT's asset report headers, Excel's `;`, half the devices
// checked out to a person of the workspace) and is not timed. Then: the upload, the first import
// (every row created) and an unchanged re-import of a second upload of the same file.
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { once } from 'node:events'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../core/app.ts'
import { systemActor } from '../core/audit/index.ts'
import { loadConfig } from '../core/config.ts'
import { ACTIVE, type RunRow } from '../core/integrations/runs.ts'
import { ensureWorkspace } from '../core/tenancy/index.ts'
import { TEST_MASTER_KEY } from '../test/helpers/app.ts'
import { createTestDatabase } from '../test/helpers/database.ts'
import { readFlags, runBench } from './bench/options.ts'

const HEADER = 'Company;Asset Name;Asset Tag;Model;Manufacturer;Serial;Purchase Date;Location;Email;Status;Warranty Expires;Notes'

async function writeFile (file: string, rows: number): Promise<number> {
  const out = createWriteStream(file)
  out.write(`\uFEFF${HEADER}\r\n`)
  for (let i = 0; i < rows; i++) {
    const email = i % 2 === 0 ? `person${i}@fleet.test` : ''
    const line = `Acme;;${i};MacBook Pro 14;Apple;BENCH${String(i).padStart(8, '0')};2024-01-15;London;${email};Deployed;15/01/2027;"bought in bulk; lot ${i % 97}"\r\n`
    if (!out.write(line)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  return out.bytesWritten
}

async function importOnce (app: FastifyInstance, workspaceId: string, file: string): Promise<{ upload: number, run: number, result: RunRow }> {
  const started = performance.now()
  const upload = await app.csvImports.upload(workspaceId, systemActor, 'hardware', path.basename(file), createReadStream(file))
  const uploaded = performance.now()
  const queued = await app.csvImports.start(workspaceId, systemActor, upload, { dryRun: false, trigger: 'cli' })
  await app.integrations.executeNow(workspaceId, queued.id)
  const result = (await app.integrations.run(workspaceId, queued.id))!
  if (ACTIVE.includes(result.status) || result.status !== 'succeeded') throw new Error(`the import ended ${result.status}: ${result.message ?? ''}`)
  return { upload: (uploaded - started) / 1000, run: (performance.now() - uploaded) / 1000, result }
}

async function main (): Promise<void> {
  const flags = readFlags(process.argv.slice(2), { rows: { type: 'count', min: 1, max: 5_000_000 }, json: { type: 'boolean' } })
  const rows = flags.rows ?? 100_000
  const log = (line: string) => { if (!flags.json) console.log(line) }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stocktake-bench-csv-'))
  const database = await createTestDatabase()
  const config = loadConfig({ LOG_LEVEL: 'silent', STOCKTAKE_DATA_DIR: '/nonexistent', STOCKTAKE_WORKER: '0', STOCKTAKE_CSV_MAX_MB: '1024' })
  const app = await buildApp({ config, db: database.db, databaseUrl: database.url, sessionSecret: 'bench-session-secret-that-is-long-enough', masterKey: TEST_MASTER_KEY, plugins: [] })
  try {
    await app.ready()
    const file = path.join(dir, 'assets.csv')
    const bytes = await writeFile(file, rows)
    const { workspace } = await ensureWorkspace(app.db, 'bench')
    await app.db.raw(`INSERT INTO users (workspace_id, email, first_name, last_name)
      SELECT ?, 'person' || i || '@fleet.test', 'Person', i::text FROM generate_series(0, ? - 1, 2) AS i`, [workspace.id, rows])
    await app.db.raw('ANALYZE')
    const target = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'
    const version = (await app.db.raw('SHOW server_version')).rows[0].server_version as string
    log(`CSV import of hardware → ${target} ${version}: ${rows.toLocaleString('en')} rows, ${(bytes / 1024 / 1024).toFixed(1)} MB`)

    const first = await importOnce(app, workspace.id, file)
    const firstTotal = first.upload + first.run
    log(`  first import: upload ${first.upload.toFixed(2)} s + import ${first.run.toFixed(2)} s = ${firstTotal.toFixed(2)} s, ${Math.round(rows / firstTotal).toLocaleString('en')} rows/s (created ${first.result.created}, errors ${first.result.errors})`)
    const again = await importOnce(app, workspace.id, file)
    const againTotal = again.upload + again.run
    log(`  unchanged re-import: upload ${again.upload.toFixed(2)} s + import ${again.run.toFixed(2)} s = ${againTotal.toFixed(2)} s, ${Math.round(rows / againTotal).toLocaleString('en')} rows/s (unchanged ${again.result.unchanged})`)
    const result = {
      rows,
      bytes,
      database: target,
      serverVersion: version,
      firstImport: { uploadSeconds: first.upload, importSeconds: first.run, totalSeconds: firstTotal, rowsPerSecond: rows / firstTotal, created: first.result.created, errors: first.result.errors },
      unchangedReimport: { uploadSeconds: again.upload, importSeconds: again.run, totalSeconds: againTotal, rowsPerSecond: rows / againTotal, unchanged: again.result.unchanged },
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg() }
    }
    if (flags.json) console.log(JSON.stringify(result))
    else log(`  peak RSS ${result.peakRssMb.toFixed(0)} MB; load average ${os.loadavg().map(l => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`)
  } finally {
    await app.close()
    await database.close()
    await rm(dir, { recursive: true, force: true })
  }
}

await runBench('bench-csv-import', 'npx tsx scripts/bench-csv-import.ts [--rows N] [--json]', main)
