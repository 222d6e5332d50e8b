// Times the register list pages server-side at 100,000 hardware rows:
//
//   node --import tsx scripts/bench-pages.ts                 # embedded database (PGlite)
//   DATABASE_URL=postgres://… node --import tsx scripts/bench-pages.ts   # a new database on that server, dropped after
//
// Seeds with set-based SQL (generate_series), then requests each page through app.inject (routing,
// session, queries, rendering; no network) and prints the median and 95th percentile, beside the
// same for the list's own query (what the page adds to any page: compare the baseline row, a page
// without a list). Target: every list page under 50 ms. BENCH_ROWS and BENCH_RUNS change the size
// and the repetitions.
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import { buildTestApp } from '../test/helpers/app.ts'
import { signIn } from '../test/helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'
import { ensureWorkspace } from '../core/tenancy/index.ts'
import { encodeCursor, parseListQuery, parseSort } from '../core/admin/list/index.ts'
import { HARDWARE_LIST, hardwarePage } from '../core/pages/hardware/list.ts'

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000)
const PEOPLE = Math.max(1, Math.round(ROWS / 20))
const RUNS = Number(process.env.BENCH_RUNS ?? 25)
const WARMUP = 3
const TARGET_MS = 50

const teardowns: Array<() => unknown> = []
const { app } = await buildTestApp({ teardown: fn => { teardowns.push(fn) } }, { STOCKTAKE_WORKER: '0' })
const db = app.db

async function seed (): Promise<{ workspaceId: string, adminId: string, analyzeMs: number }> {
  const { workspace } = await ensureWorkspace(db, 'bench')
  const admin = await app.registry.people.create(workspace.id, systemActor, { email: 'admin@bench.test', role: 'admin' })
  await db.raw(`
    INSERT INTO users (workspace_id, email, first_name, last_name)
    SELECT :ws, 'person' || g || '@bench.test',
      (ARRAY['Ada','Grace','Alan','Linus','Margaret','Ken','Barbara','Edsger','Donald','Frances'])[1 + g % 10],
      (ARRAY['Lovelace','Hopper','Turing','Torvalds','Hamilton','Thompson','Liskov','Dijkstra','Knuth','Allen','Ritchie','Kay'])[1 + (g / 10) % 12] || ' ' || g
    FROM generate_series(1, :people) g`, { ws: workspace.id, people: PEOPLE })
  // 60% assigned, 25% available, 8% in repair, 5% retired, 2% lost; one manufacturer in a thousand is rare.
  await db.raw(`
    WITH people AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE workspace_id = :ws AND email LIKE 'person%')
    INSERT INTO hardware (workspace_id, asset_tag, serial, name, category, manufacturer, model, status,
      assigned_user_id, assigned_at, source, created_at, updated_at)
    SELECT :ws, 'BENCH-' || lpad(g::text, 6, '0'), upper(substr(md5(g::text), 1, 12)),
      (ARRAY['MacBook Pro 14','MacBook Air 13','Latitude 7440','ThinkPad X1 Carbon','EliteBook 840','Surface Laptop 5',
             'iPhone 15','Galaxy S23','UltraSharp U2723QE','iPad Air'])[1 + g % 10] || ' #' || g,
      (ARRAY['laptop','laptop','laptop','laptop','laptop','laptop','phone','phone','monitor','tablet'])[1 + g % 10],
      CASE WHEN g % 1000 = 7 THEN 'Framework'
        ELSE (ARRAY['Apple','Apple','Dell','Lenovo','HP','Microsoft','Apple','Samsung','Dell','Apple'])[1 + g % 10] END,
      CASE WHEN g % 20 = 0 THEN NULL ELSE (ARRAY['A2442','A2681','7440','21HM','840 G10','5','A3090','SM-S911B','U2723QE','A2588'])[1 + g % 10] END,
      s.status,
      CASE WHEN s.status = 'assigned' THEN people.ids[1 + g % :people] END,
      CASE WHEN s.status = 'assigned' THEN now() END,
      (ARRAY['manual','manual','intune','jamf'])[1 + g % 4],
      now() - g * interval '1 minute', now() - g * interval '1 minute'
    FROM people, generate_series(1, :rows) g,
      LATERAL (SELECT CASE WHEN g % 100 < 60 THEN 'assigned' WHEN g % 100 < 85 THEN 'available'
        WHEN g % 100 < 93 THEN 'in_repair' WHEN g % 100 < 98 THEN 'retired' ELSE 'lost' END AS status) s`,
  { ws: workspace.id, rows: ROWS, people: PEOPLE })
  // What autovacuum does on a server after a bulk load. The embedded database has no autovacuum:
  // without this its plans go wrong (BENCH_ANALYZE=0 shows how far).
  const t0 = performance.now()
  if (process.env.BENCH_ANALYZE !== '0') await db.raw('ANALYZE')
  return { workspaceId: workspace.id, adminId: admin.id, analyzeMs: performance.now() - t0 }
}

/** A cursor deep in a sort: the row at `position`, found once with OFFSET (the pages never use it). */
async function deepCursor (workspaceId: string, sortKey: 'asset_tag' | 'assignee', position: number): Promise<string> {
  const sort = parseSort({ sort: sortKey }, HARDWARE_LIST.sorts, HARDWARE_LIST.defaultSort)
  const { keys, where } = sort.option.segments[0]
  const { rows } = await db.raw(`
    SELECT h.id, ${keys.map((k, i) => `(${k})::text AS k${i}`).join(', ')}
    FROM hardware h LEFT JOIN users u ON u.id = h.assigned_user_id AND u.workspace_id = h.workspace_id
    WHERE h.workspace_id = ? ${where ? `AND ${where}` : ''}
    ORDER BY ${[...keys, 'h.id'].join(', ')} OFFSET ? LIMIT 1`, [workspaceId, position])
  return encodeCursor(sort, { segment: 0, keys: keys.map((_, i) => rows[0][`k${i}`]), id: rows[0].id })
}

/** Median and 95th percentile of `RUNS` timed calls, after a warm-up. */
async function time (fn: () => Promise<unknown>): Promise<{ median: number, p95: number }> {
  const times: number[] = []
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const t0 = performance.now()
    await fn()
    if (i >= WARMUP) times.push(performance.now() - t0)
  }
  const sorted = times.sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
  return { median: at(0.5), p95: at(0.95) }
}

const ms = (n: number) => `${n.toFixed(1).padStart(6)} ms`

try {
  const started = performance.now()
  const { workspaceId, adminId, analyzeMs } = await seed()
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const session = await signIn(app, { slug: 'bench', workspaceId, userId: adminId })
  const target = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'
  const version = (await db.raw('SHOW server_version')).rows[0].server_version
  console.log(`Hardware list on ${target} ${version}: ${ROWS.toLocaleString('en')} rows, ${PEOPLE.toLocaleString('en')} people, seeded in ${seconds} s (ANALYZE ${analyzeMs.toFixed(0)} ms); ${RUNS} runs each after ${WARMUP} warm-up`)

  const deepTag = await deepCursor(workspaceId, 'asset_tag', Math.floor(ROWS * 0.9))
  const deepAssignee = await deepCursor(workspaceId, 'assignee', Math.floor(ROWS * 0.5))
  const more = { 'hx-request': 'true', 'hx-target': 'hardware-more' }
  const cases: Array<[string, string, Record<string, string>?]> = [
    ['first page', '/hardware'],
    ['filtered (status + category)', '/hardware?status=in_repair&category=laptop'],
    ['filtered, rare (manufacturer)', '/hardware?manufacturer=Framework'],
    ['search: model word', '/hardware?q=thinkpad'],
    ['search: serial fragment', '/hardware?q=7d1a'],
    ['search: person name', '/hardware?q=hopper+1234'],
    ['search + filter + sort', '/hardware?q=macbook&status=assigned&sort=updated&dir=desc'],
    ['deep page (90%, asset tag)', `/hardware?after=${deepTag}`],
    ['deep page, Load more (htmx)', `/hardware?after=${deepTag}`, more],
    ['sort: name', '/hardware?sort=name'],
    ['sort: model desc', '/hardware?sort=model&dir=desc'],
    ['sort: status', '/hardware?sort=status'],
    ['sort: assignee', '/hardware?sort=assignee'],
    ['deep page (50%, assignee)', `/hardware?sort=assignee&dir=asc&after=${deepAssignee}`],
    ['sort: updated', '/hardware?sort=updated']
  ]
  const width = Math.max(...cases.map(([name]) => name.length))
  console.log(`  ${''.padEnd(width)}  ${'page (request)'.padEnd(30)}list query alone`)
  const baseline = await time(() => session.get('/account'))
  console.log(`  ${'baseline: a page without a list'.padEnd(width)}  median ${ms(baseline.median)}  p95 ${ms(baseline.p95)}`)
  let slowest = 0
  for (const [name, url, headers] of cases) {
    const check = await session.get(url, headers)
    if (check.statusCode !== 200) throw new Error(`${url}: ${check.statusCode} ${check.body.slice(0, 300)}`)
    const page = await time(() => session.get(url, headers))
    const list = parseListQuery(Object.fromEntries(new URL(url, 'http://x').searchParams), HARDWARE_LIST)
    const query = await time(() => hardwarePage(db, workspaceId, list, {}, 50))
    slowest = Math.max(slowest, page.p95)
    console.log(`  ${name.padEnd(width)}  median ${ms(page.median)}  p95 ${ms(page.p95)}    median ${ms(query.median)}  p95 ${ms(query.p95)}${page.p95 > TARGET_MS ? '   page over target' : ''}`)
  }
  const t0 = performance.now()
  const csv = await session.get('/hardware.csv')
  console.log(`  ${'CSV export, every row'.padEnd(width)}  ${(performance.now() - t0).toFixed(0)} ms for ${(csv.body.length / 1e6).toFixed(1)} MB (streamed in batches of 500)`)
  console.log(`Machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map(n => n.toFixed(1)).join(' ')} (other processes slow every figure alike; compare with the baseline row).`)
  console.log(slowest <= TARGET_MS ? `Every list page under ${TARGET_MS} ms (p95).` : `Slowest p95 ${slowest.toFixed(1)} ms: over the ${TARGET_MS} ms target.`)
} finally {
  for (const fn of teardowns.reverse()) await fn()
}
