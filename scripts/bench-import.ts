// Measures the MDM device import end to end: the real plugin against its fake over HTTP, through
// the same run as Admin → Bulk import (startRun + executeRun), into the configured database.
//
//   npx tsx scripts/bench-import.ts --source intune|jamf --devices N [--runs R] [--json]
//   DATABASE_URL=postgres://… npx tsx scripts/bench-import.ts …   # a scratch database on that server, dropped after
//
// The fake runs in a child process, so the peak RSS printed is the importer's (with the embedded
// database it also holds PGlite). Each repetition imports into a fresh workspace: a first import,
// a re-import with nothing changed, and one with 10% of the devices changed (their OS version);
// then a plain COPY of the same hardware rows into a scratch table, the floor for writing them,
// and the importer's own insert statements alone (core/register/importers/device-sql.ts) writing
// the same devices into a new workspace: the floor for writing them with this schema's indexes,
// foreign keys, assignments and events, without HTTP, JSON paging or matching.
// Rows written are counted by xmin/xmax: hardware rows whose inserting or locking transaction
// began after the phase started (so a SELECT … FOR UPDATE counts as a write, as it is one).
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Knex } from 'knex'
import { systemActor } from '../core/audit/index.ts'
import { BUILTIN_PLUGINS_DIR, discoverPlugins, parsePluginPaths, type DiscoveredPlugin } from '../core/integrations/discovery.ts'
import { ACTIVE, type RunRow } from '../core/integrations/runs.ts'
import { routeToFake } from '../core/sdk.ts'
import { ensureWorkspace } from '../core/tenancy/index.ts'
import { buildApp } from '../core/app.ts'
import { loadConfig } from '../core/config.ts'
import { TEST_MASTER_KEY } from '../test/helpers/app.ts'
import { createTestDatabase } from '../test/helpers/database.ts'
import { insertDevices, type NewDevice } from '../core/register/importers/device-sql.ts'
import { readFlags, runBench, UsageError } from './bench/options.ts'

interface Options { source: string, devices: number, runs: number, json: boolean }

function parseOptions (argv: string[]): Options {
  const flags = readFlags(argv, { source: { type: 'string' }, devices: { type: 'count', min: 1, max: 10_000_000 }, runs: { type: 'count', min: 1, max: 20 }, json: { type: 'boolean' } })
  const options: Options = { source: flags.source ?? '', devices: flags.devices ?? 0, runs: flags.runs ?? 3, json: flags.json ?? false }
  if (!/^[a-z][a-z0-9-]{1,40}$/.test(options.source)) throw new UsageError('--source must name a plugin id, e.g. intune or jamf')
  if (options.devices === 0) throw new UsageError('--devices is required (a whole number of at least 1)')
  return options
}

/** The plugin's folder: plugins/<id>, else one of STOCKTAKE_PLUGIN_PATHS. */
async function findPlugin (id: string): Promise<DiscoveredPlugin> {
  const candidates = [join(BUILTIN_PLUGINS_DIR, id), ...parsePluginPaths(process.env.STOCKTAKE_PLUGIN_PATHS).flatMap(p => [join(p, id), p])]
  for (const dir of candidates) {
    if (!existsSync(join(dir, 'manifest.json')) || !existsSync(join(dir, 'fake.ts'))) continue
    const [plugin] = await discoverPlugins({ builtinDir: null, pluginDirs: [dir] })
    if (plugin?.id === id) return plugin
  }
  throw new UsageError(`no plugin "${id}" with a fake.ts in plugins/ or STOCKTAKE_PLUGIN_PATHS`)
}

// ---- the fake, in a child process ---------------------------------------------------------------

type ToFake = { fleet: { size?: number, changedEvery?: number, revision?: number } } | { close: true }
type FromFake = { ready: { url: string, settings: Record<string, unknown> } } | { ok: true } | { closed: { maxRssMb: number } }

interface Fleet { size: number, changedEvery: number, revision: number }

async function runFakeChild (dir: string): Promise<void> {
  const { startFake } = await import(pathToFileURL(join(dir, 'fake.ts')).href) as {
    startFake: () => Promise<{ url: string, settings: Record<string, unknown>, fleet: Fleet, close: () => Promise<void> }>
  }
  const fake = await startFake()
  const send = (message: FromFake) => process.send!(message)
  process.once('disconnect', () => { fake.close().catch(() => {}) }) // the parent is gone: stop serving
  process.on('message', (message: ToFake) => {
    if ('fleet' in message) {
      Object.assign(fake.fleet, message.fleet)
      send({ ok: true })
    } else {
      fake.close().then(() => { send({ closed: { maxRssMb: process.resourceUsage().maxRSS / 1024 } }); process.disconnect() }, () => {})
    }
  })
  send({ ready: { url: fake.url, settings: fake.settings } })
}

class FakeProcess {
  private constructor (private readonly child: ChildProcess, readonly url: string, readonly settings: Record<string, unknown>) {}

  static async start (dir: string): Promise<FakeProcess> {
    const child = fork(fileURLToPath(import.meta.url), ['--fake-child', dir], {
      execArgv: ['--import', 'tsx'], cwd: resolve(fileURLToPath(new URL('..', import.meta.url))), stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    const [message] = await once(child, 'message') as [FromFake]
    if (!('ready' in message)) throw new Error('the fake did not start')
    return new FakeProcess(child, message.ready.url, message.ready.settings)
  }

  async setFleet (fleet: Partial<Fleet>): Promise<void> {
    this.child.send({ fleet } satisfies ToFake)
    await once(this.child, 'message')
  }

  async close (): Promise<number> {
    this.child.send({ close: true } satisfies ToFake)
    const [message] = await once(this.child, 'message') as [FromFake]
    return 'closed' in message ? message.closed.maxRssMb : NaN
  }
}

// ---- measuring ----------------------------------------------------------------------------------

interface Phase {
  name: string
  seconds: number
  devicesPerSecond: number
  run: Pick<RunRow, 'read' | 'created' | 'updated' | 'unchanged' | 'skipped' | 'errors'>
  /** Hardware rows inserted or updated (xmin) or locked (xmax) by the phase. */
  rowsWritten: number
  rowsLocked: number
  auditEntries: number
  events: number
  peakRssMb: number
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024

async function xidNow (db: Knex): Promise<number> {
  return Number((await db.raw('SELECT txid_current() % 4294967296 AS xid')).rows[0].xid)
}

type App = Awaited<ReturnType<typeof buildApp>>

async function importPhase (db: Knex, app: App, name: string, workspaceId: string, pluginId: string, devices: number): Promise<Phase> {
  const startXid = await xidNow(db)
  const before = await logPositions(db, workspaceId)
  const started = performance.now()
  const queued = await app.integrations.sync(workspaceId, pluginId)
  await app.integrations.executeNow(workspaceId, queued.id)
  const seconds = (performance.now() - started) / 1000
  const run = await app.integrations.run(workspaceId, queued.id)
  if (!run || ACTIVE.includes(run.status) || run.status !== 'succeeded') throw new Error(`${name}: the run ended ${run?.status ?? 'missing'}: ${run?.message ?? ''}`)
  const { rows: [written] } = await db.raw(`
    SELECT count(*) FILTER (WHERE xmin::text::bigint >= :xid) AS written,
           count(*) FILTER (WHERE xmax::text::bigint >= :xid) AS locked
    FROM hardware WHERE workspace_id = :ws`, { xid: startXid, ws: workspaceId })
  const after = await logPositions(db, workspaceId)
  return {
    name,
    seconds,
    devicesPerSecond: devices / seconds,
    run: { read: run.read, created: run.created, updated: run.updated, unchanged: run.unchanged, skipped: run.skipped, errors: run.errors },
    rowsWritten: Number(written.written),
    rowsLocked: Number(written.locked),
    auditEntries: after.audit - before.audit,
    events: after.events - before.events,
    peakRssMb: peakRssMb()
  }
}

async function logPositions (db: Knex, workspaceId: string): Promise<{ audit: number, events: number }> {
  const { rows: [row] } = await db.raw(`SELECT (SELECT count(*) FROM audit_log WHERE workspace_id = :ws) AS audit,
    (SELECT count(*) FROM events WHERE workspace_id = :ws) AS events`, { ws: workspaceId })
  return { audit: Number(row.audit), events: Number(row.events) }
}

const COPIED = ['workspace_id', 'asset_tag', 'serial', 'name', 'category', 'manufacturer', 'model', 'os', 'os_version',
  'mac_address', 'status', 'condition', 'assigned_user_id', 'assigned_at', 'acknowledged_at', 'acknowledgement_note',
  'specifications', 'source', 'source_ids']

/**
 * A plain COPY of the workspace's hardware rows (as the import wrote them) into a scratch table
 * without indexes, in the same database: the floor for writing those rows. Only COPY FROM is timed.
 * Through pg-copy-streams when installed, else psql's \copy (which adds its start-up time).
 */
async function copySeconds (db: Knex, url: string, workspaceId: string): Promise<{ seconds: number, via: string } | { skipped: string }> {
  if (!process.env.DATABASE_URL) return { skipped: 'the embedded database (PGlite behind its socket) does not take COPY FROM STDIN; set DATABASE_URL' }
  await db.raw('DROP TABLE IF EXISTS bench_copy')
  await db.raw('CREATE TABLE bench_copy (LIKE hardware INCLUDING DEFAULTS)')
  const select = `SELECT ${COPIED.join(', ')} FROM hardware WHERE workspace_id = '${workspaceId}'`
  const target = `bench_copy (${COPIED.join(', ')})`
  try {
    const streams = await import('pg-copy-streams' as string).catch(() => null) as null | { from: (sql: string) => NodeJS.WritableStream, to: (sql: string) => NodeJS.ReadableStream }
    if (streams !== null) {
      const client = await (db.client as { acquireConnection: () => Promise<import('pg').Client> }).acquireConnection()
      try {
        const chunks: Buffer[] = []
        for await (const chunk of client.query(streams.to(`COPY (${select}) TO STDOUT`) as never) as AsyncIterable<Buffer>) chunks.push(chunk)
        const started = performance.now()
        const sink = client.query(streams.from(`COPY ${target} FROM STDIN`) as never) as NodeJS.WritableStream
        const { pipeline } = await import('node:stream/promises')
        const { Readable } = await import('node:stream')
        await pipeline(Readable.from(chunks), sink as never)
        return { seconds: (performance.now() - started) / 1000, via: 'pg-copy-streams' }
      } finally {
        await (db.client as { releaseConnection: (c: unknown) => Promise<void> }).releaseConnection(client)
      }
    }
    const file = join(os.tmpdir(), `bench-copy-${process.pid}.tsv`)
    await psql(url, `\\copy (${select}) TO '${file}'`)
    const started = performance.now()
    await psql(url, `\\copy ${target} FROM '${file}'`)
    const seconds = (performance.now() - started) / 1000
    const { rm } = await import('node:fs/promises')
    await rm(file, { force: true })
    return { seconds, via: 'psql \\copy (pg-copy-streams is not installed)' }
  } catch (err) {
    return { skipped: (err as Error).message }
  } finally {
    await db.raw('DROP TABLE IF EXISTS bench_copy')
  }
}

const FLOOR_CHUNK = 1000

/**
 * The importer's insert statement alone (insertDevices, 1,000 devices each as a run writes them,
 * each in its own transaction) writing the workspace's imported devices again into a new
 * workspace: every index, foreign key, assignment and event of a first import, none of the
 * fetching, paging, parsing and matching. Only the statements are timed; each chunk is read first.
 */
async function registerFloorSeconds (db: Knex, workspaceId: string, source: { pluginId: string, name: string }): Promise<number> {
  const { workspace: floor } = await ensureWorkspace(db, `floor-${workspaceId.slice(0, 8)}`)
  let seconds = 0
  let after = ''
  for (;;) {
    const { rows } = await db.raw<{ rows: Array<NewDevice & { n: number }> }>(`
      SELECT h.asset_tag, h.serial, h.name, h.category, h.manufacturer, h.model, h.os, h.os_version, h.mac_address,
        h.warranty_end::text AS warranty_end, h.assigned_user_id, h.specifications, h.source_ids ->> h.source AS external_id,
        CASE WHEN u.id IS NULL THEN NULL ELSE jsonb_build_object('id', u.id, 'email', u.email, 'first_name', u.first_name) END AS assignee
      FROM hardware h LEFT JOIN users u ON u.id = h.assigned_user_id
      WHERE h.workspace_id = ? AND h.asset_tag > ? ORDER BY h.asset_tag LIMIT ?`, [workspaceId, after, FLOOR_CHUNK])
    if (rows.length === 0) return seconds
    after = rows.at(-1)!.asset_tag
    const started = performance.now()
    await db.transaction(trx => insertDevices(trx, floor.id, source, `Imported from MDM (${source.name})`, rows))
    seconds += (performance.now() - started) / 1000
  }
}

async function psql (url: string, command: string): Promise<void> {
  const child = spawn('psql', ['--no-psqlrc', '--quiet', '--set', 'ON_ERROR_STOP=1', url, '-c', command], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', chunk => { stderr += String(chunk) })
  const [code] = await once(child, 'close') as [number | null]
  if (code !== 0) throw new Error(`psql failed: ${stderr.trim() || `exit ${code}`}`)
}

// ---- report -------------------------------------------------------------------------------------

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)] }
const best = (xs: number[]) => Math.min(...xs)

function summarise (phases: Phase[][], copies: number[], floors: number[]) {
  const names = phases[0].map(p => p.name)
  return {
    phases: names.map((name, i) => {
      const runs = phases.map(rep => rep[i])
      return {
        name,
        bestSeconds: best(runs.map(r => r.seconds)),
        medianSeconds: median(runs.map(r => r.seconds)),
        bestDevicesPerSecond: Math.max(...runs.map(r => r.devicesPerSecond)),
        run: runs[0].run,
        rowsWritten: Math.max(...runs.map(r => r.rowsWritten)),
        rowsLocked: Math.max(...runs.map(r => r.rowsLocked)),
        auditEntries: runs[0].auditEntries,
        events: runs[0].events
      }
    }),
    copy: copies.length > 0 ? { bestSeconds: best(copies), medianSeconds: median(copies) } : null,
    registerFloor: { bestSeconds: best(floors), medianSeconds: median(floors) }
  }
}

async function main (options: Options): Promise<void> {
  const plugin = await findPlugin(options.source)
  const fake = await FakeProcess.start(plugin.dir)
  const teardowns: Array<() => unknown> = []
  const dispatcher = routeToFake(fake.url)
  try {
    // A scratch database (a new one on the DATABASE_URL server, dropped after; else in memory).
    const database = await createTestDatabase()
    teardowns.push(() => database.close())
    const config = loadConfig({ LOG_LEVEL: 'silent', STOCKTAKE_DATA_DIR: '/nonexistent', STOCKTAKE_WORKER: '0' })
    const app = await buildApp({ config, db: database.db, databaseUrl: database.url, sessionSecret: 'bench-session-secret-that-is-long-enough', masterKey: TEST_MASTER_KEY, plugins: [plugin], httpDispatcher: dispatcher })
    await app.ready()
    teardowns.push(() => app.close())
    const db = app.db
    const target = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite (in this process: its memory counts in the RSS)'
    const version = (await db.raw('SHOW server_version')).rows[0].server_version as string
    const log = (line: string) => { if (!options.json) console.log(line) }
    log(`${plugin.manifest.name} → ${target} ${version}: ${options.devices.toLocaleString('en')} devices, ${options.runs} repetition(s); fake in child process ${fake.url}`)

    const phases: Phase[][] = []
    const copies: number[] = []
    const floors: number[] = []
    let copyVia = ''
    for (let rep = 1; rep <= options.runs; rep++) {
      // Each repetition starts from empty register tables in a fresh workspace.
      await db.raw('TRUNCATE hardware, hardware_assignments, events, audit_log, integration_runs, integration_state, integration_cache CASCADE')
      const { workspace } = await ensureWorkspace(db, `bench-${rep}`)
      await db.raw(`INSERT INTO users (workspace_id, email, first_name, last_name)
        SELECT ?, 'person' || i || '@fleet.test', 'Person', i::text FROM generate_series(0, ? - 1, 2) AS i`, [workspace.id, options.devices])
      await db.raw('ANALYZE')
      const saved = await app.integrations.settings.save(workspace.id, systemActor, plugin, fake.settings, { enabled: true })
      if (!saved.ok) throw new Error(`the fake's settings were refused: ${JSON.stringify(saved.errors)}`)
      await fake.setFleet({ size: options.devices, changedEvery: 0, revision: 0 })

      const rep1 = await importPhase(db, app, 'first import', workspace.id, plugin.id, options.devices)
      const rep2 = await importPhase(db, app, 're-import, unchanged', workspace.id, plugin.id, options.devices)
      await fake.setFleet({ changedEvery: 10, revision: rep })
      const rep3 = await importPhase(db, app, 're-import, 10% changed', workspace.id, plugin.id, options.devices)
      phases.push([rep1, rep2, rep3])
      const copy = await copySeconds(db, database.url, workspace.id)
      if ('seconds' in copy) { copies.push(copy.seconds); copyVia = copy.via } else copyVia = `not measured: ${copy.skipped}`
      floors.push(await registerFloorSeconds(db, workspace.id, { pluginId: plugin.id, name: plugin.manifest.name }))
      log(`  #${rep}: ${[rep1, rep2, rep3].map(p => `${p.name} ${p.seconds.toFixed(2)} s`).join(', ')}${'seconds' in copy ? `, COPY ${copy.seconds.toFixed(2)} s` : ''}, insert statements alone ${floors.at(-1)!.toFixed(2)} s`)
    }
    const summary = summarise(phases, copies, floors)
    const fakeRssMb = await fake.close()
    const result = {
      source: plugin.id,
      devices: options.devices,
      repetitions: options.runs,
      database: target,
      serverVersion: version,
      ...summary,
      copyVia,
      // As the imports left it: the measurements after them (COPY, the insert statements alone) do not count.
      peakRssMb: Math.max(...phases.flat().map(p => p.peakRssMb)),
      fakePeakRssMb: fakeRssMb,
      rowsCountedBy: 'xmin/xmax of hardware rows against the phase’s first transaction id',
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg() }
    }
    if (options.json) {
      console.log(JSON.stringify(result, null, 2))
      return
    }
    for (const p of summary.phases) {
      log(`${p.name.padEnd(24)} best ${p.bestSeconds.toFixed(2)} s, median ${p.medianSeconds.toFixed(2)} s, ${Math.round(p.bestDevicesPerSecond).toLocaleString('en')} devices/s` +
        ` | ${p.run.created} created, ${p.run.updated} updated, ${p.run.unchanged} unchanged, ${p.run.skipped} skipped, ${p.run.errors} errors` +
        ` | hardware rows written ${p.rowsWritten}, locked ${p.rowsLocked}; audit entries ${p.auditEntries}, events ${p.events}`)
    }
    if (summary.copy) {
      const first = summary.phases[0]
      log(`plain COPY of the same rows     best ${summary.copy.bestSeconds.toFixed(2)} s, median ${summary.copy.medianSeconds.toFixed(2)} s (${copyVia}); first import / COPY = ${(first.bestSeconds / summary.copy.bestSeconds).toFixed(1)}× (best), ${(first.medianSeconds / summary.copy.medianSeconds).toFixed(1)}× (median)`)
    } else log(`plain COPY: ${copyVia}`)
    log(`importer's insert statements alone (every index, foreign key, assignment and event; no HTTP, paging or matching)  best ${summary.registerFloor.bestSeconds.toFixed(2)} s, median ${summary.registerFloor.medianSeconds.toFixed(2)} s; ` +
      `first import / that = ${(summary.phases[0].bestSeconds / summary.registerFloor.bestSeconds).toFixed(1)}× (best)`)
    log(`peak RSS: importer ${result.peakRssMb.toFixed(0)} MB, fake ${fakeRssMb.toFixed(0)} MB. Rows written counted by ${result.rowsCountedBy}.`)
    log(`machine: ${result.machine.cpus} CPUs, load average ${result.machine.loadAverage.map(n => n.toFixed(1)).join(' ')} (other processes slow every figure).`)
  } finally {
    for (const fn of teardowns.reverse()) await fn()
    await dispatcher.close()
  }
}

const childAt = process.argv.indexOf('--fake-child')
if (childAt !== -1) {
  await runFakeChild(process.argv[childAt + 1])
} else {
  await runBench('bench-import', 'npx tsx scripts/bench-import.ts --source intune|jamf --devices N [--runs R] [--json]', async () => await main(parseOptions(process.argv.slice(2))))
}
