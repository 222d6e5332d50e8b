// Load-tests the REST API over HTTP with autocannon at 100,000 hardware rows:
//
//   node --import tsx scripts/bench-api.ts                                 # embedded database (PGlite)
//   DATABASE_URL=postgres://… node --import tsx scripts/bench-api.ts       # a new database on that server, dropped after
//
// Seeds with set-based SQL (generate_series), listens on a loopback port, and runs autocannon as a
// separate process (so the load generator does not share the server's event loop) against
// GET /api/hardware?limit=100 (the first page, and a page 90% deep by cursor) and
// POST /api/hardware. Prints req/s and latency p50/p99, and for a list how many reads the list
// cache answered (core/api/list-cache.ts; STOCKTAKE_API_LIST_CACHE_MB=0 measures every read from
// the table). Targets for the list on a 2-core machine: ≥ 2,000 req/s and p99 ≤ 50 ms.
// BENCH_ROWS, BENCH_SECONDS and BENCH_CONNECTIONS change the size, the duration of each run and
// the concurrency.
import { performance } from 'node:perf_hooks'
import type { AddressInfo } from 'node:net'
import { buildTestApp } from '../test/helpers/app.ts'
import { autocannon } from './bench/autocannon.ts'
import { systemActor } from '../core/audit/index.ts'
import { ensureWorkspace } from '../core/tenancy/index.ts'
import { encodeCursor, parseSort } from '../core/admin/list/index.ts'
import { HARDWARE_LIST } from '../core/api/routes/hardware.schemas.ts'

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const TARGET_RPS = 2000
const TARGET_P99_MS = 50

const teardowns: Array<() => unknown> = []
const { app } = await buildTestApp({ teardown: fn => { teardowns.push(fn) } }, {
  STOCKTAKE_WORKER: '0', STOCKTAKE_API_RATE_LIMIT: '1000000', STOCKTAKE_API_LIST_CACHE_MB: process.env.STOCKTAKE_API_LIST_CACHE_MB ?? '32'
})
const db = app.db

async function seed (): Promise<string> {
  const { workspace } = await ensureWorkspace(db, 'bench')
  await db.raw(`
    INSERT INTO hardware (workspace_id, asset_tag, serial, name, category, manufacturer, model, status, source, created_at, updated_at)
    SELECT :ws, 'BENCH-' || lpad(g::text, 6, '0'), upper(substr(md5(g::text), 1, 12)),
      (ARRAY['MacBook Pro 14','Latitude 7440','ThinkPad X1 Carbon','EliteBook 840','iPhone 15'])[1 + g % 5] || ' #' || g,
      (ARRAY['laptop','laptop','laptop','laptop','phone'])[1 + g % 5],
      (ARRAY['Apple','Dell','Lenovo','HP','Apple'])[1 + g % 5],
      (ARRAY['A2442','7440','21HM','840 G10','A3090'])[1 + g % 5],
      (ARRAY['available','available','in_repair','retired','lost'])[1 + g % 5],
      'manual', now() - g * interval '1 minute', now() - g * interval '1 minute'
    FROM generate_series(1, :rows) g`, { ws: workspace.id, rows: ROWS })
  // Keeps new asset tags (POST) clear of the seeded ones.
  await db('workspaces').where({ id: workspace.id }).update({ asset_tag_next: ROWS + 1, asset_tag_prefix: 'BENCH-' })
  // What autovacuum does on a server after a bulk load; the embedded database has none.
  await db.raw('ANALYZE')
  return workspace.id
}

try {
  const started = performance.now()
  const workspaceId = await seed()
  const { secret } = await app.apiTokens.create(workspaceId, systemActor, { name: 'bench' })
  const target = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'
  const version = (await db.raw('SHOW server_version')).rows[0].server_version
  console.log(`REST API on ${target} ${version}: ${ROWS.toLocaleString('en')} hardware rows seeded in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
    `autocannon ${CONNECTIONS} connections × ${SECONDS} s per case`)

  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const auth = { authorization: `Bearer ${secret}` }
  const deepCursor = await cursorAt(workspaceId, Math.floor(ROWS * 0.9))
  const deep = await app.inject({ url: `/api/hardware?limit=100&cursor=${deepCursor}`, headers: auth })
  if (deep.statusCode !== 200 || JSON.parse(deep.body).data.length !== 100) throw new Error(`deep cursor: ${deep.statusCode} ${deep.body.slice(0, 200)}`)

  const cases: Array<[string, string, { method?: string, body?: string, list: boolean }]> = [
    ['GET /api/hardware?limit=100 (first page)', '/api/hardware?limit=100', { list: true }],
    ['GET /api/hardware?limit=100 (90% deep cursor)', `/api/hardware?limit=100&cursor=${deepCursor}`, { list: true }],
    ['POST /api/hardware', '/api/hardware', { method: 'POST', body: '{"serial":"LOAD-[<id>]","name":"Bench laptop"}', list: false }]
  ]
  const width = Math.max(...cases.map(([name]) => name.length))
  let met = true
  for (const [name, path, opts] of cases) {
    const headers = { ...auth, ...(opts.body ? { 'content-type': 'application/json' } : {}) }
    const before = { ...app.listCache.stats }
    const r = await autocannon(`${base}${path}`, { connections: CONNECTIONS, seconds: SECONDS, method: opts.method, body: opts.body, headers })
    const hits = app.listCache.stats.hits - before.hits
    const reads = hits + app.listCache.stats.misses - before.misses
    const cached = opts.list ? `  ${reads ? Math.round(100 * hits / reads) : 0}% from the list cache` : ''
    const verdict = opts.list ? (r.rps >= TARGET_RPS && r.p99 <= TARGET_P99_MS ? '  meets target' : '  below target') : ''
    if (opts.list && verdict.includes('below')) met = false
    console.log(`  ${name.padEnd(width)}  ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms` +
      `${r.non2xx || r.errors ? `  (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}${cached}${verdict}`)
  }
  console.log(met ? `List target met: ≥ ${TARGET_RPS} req/s and p99 ≤ ${TARGET_P99_MS} ms.` : `List target (≥ ${TARGET_RPS} req/s, p99 ≤ ${TARGET_P99_MS} ms) not met.`)
} finally {
  for (const fn of teardowns.reverse()) await fn()
}

/** The cursor of the page after row `position` in the default (asset tag) order, as the API would hand it out. */
async function cursorAt (workspaceId: string, position: number): Promise<string> {
  const row = await db('hardware').where({ workspace_id: workspaceId }).orderBy(['asset_tag', 'id']).offset(position).first('asset_tag', 'id')
  return encodeCursor(parseSort({}, HARDWARE_LIST.sorts, HARDWARE_LIST.defaultSort), { segment: 0, keys: [row.asset_tag], id: row.id })
}
