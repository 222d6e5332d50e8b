// Provisions users and groups over /scim/v2 the way Microsoft Entra ID does, then load-tests reads:
//
//   node --import tsx scripts/bench-scim.ts                                 # embedded database (PGlite)
//   DATABASE_URL=postgres://… node --import tsx scripts/bench-scim.ts       # a new database on that server, dropped after
//
// 1. Users: per user, filter by userName (no match), create, then a PATCH (Replace title), from
//    BENCH_CLIENTS (8) concurrent clients over real HTTP, in a process of their own
//    (scripts/bench/scim-provision.ts). 2. Groups: per group, filter by
//    displayName with excludedAttributes=members, create empty, one PATCH adding its members; then
//    one group holding every user, filled 250 members per PATCH. 3. With the users stored, reads
//    by autocannon in its own process: `filter=userName eq` and GET /Users/{id}. 4. GET of the
//    group with every user. Prints req/s and p50/p99 per phase against the issue's targets.
// BENCH_USERS (10,000), BENCH_GROUPS (200) and BENCH_SECONDS (10) change the sizes.
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Pool } from 'undici'
import { buildTestApp } from '../test/helpers/app.ts'
import { systemActor } from '../core/audit/index.ts'
import { ensureWorkspace } from '../core/tenancy/index.ts'
import { autocannon } from './bench/autocannon.ts'
import type { PhaseResult } from './bench/scim-provision.ts'

const USERS = Number(process.env.BENCH_USERS ?? 10_000)
const GROUPS = Number(process.env.BENCH_GROUPS ?? 200)
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const TARGETS = { provision: { rps: 1000, p99: 50 }, read: { rps: 2000, p99: 25 }, bigGroupMs: 100 }

const teardowns: Array<() => unknown> = []
const { app } = await buildTestApp({ teardown: fn => { teardowns.push(fn) } }, { STOCKTAKE_WORKER: '0', LOG_LEVEL: 'silent' })

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
const line = (name: string, figures: string, verdict = '') => console.log(`  ${name.padEnd(58)} ${figures}  ${verdict}`)

/** Runs the provisioning client (scripts/bench/scim-provision.ts) in its own process, printing each phase. */
function provision (base: string, token: string): Promise<{ middleUserName: string, middleId: string, everyone: string }> {
  const script = fileURLToPath(new URL('./bench/scim-provision.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, BASE: base, TOKEN: token, USERS: String(USERS), GROUPS: String(GROUPS), CLIENTS: String(CLIENTS) },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  return new Promise((resolve, reject) => {
    let done: { middleUserName: string, middleId: string, everyone: string } | undefined
    createInterface({ input: child.stdout }).on('line', text => {
      const message = JSON.parse(text)
      if (message.done) done = message.done
      if (!message.phase) return
      const { name, requests, seconds, latencies } = message.phase as PhaseResult
      const rps = requests / seconds
      const target = requests > 100 ? TARGETS.provision : null
      line(name, `${requests.toLocaleString('en').padStart(7)} requests in ${seconds.toFixed(1)} s  ${rps.toFixed(0).padStart(5)} req/s  p50 ${latencies.p50.toFixed(1)} ms  p99 ${latencies.p99.toFixed(1)} ms`,
        target ? (rps >= target.rps && latencies.p99 <= target.p99 ? 'meets target' : 'below target') : '')
    })
    child.once('error', reject)
    child.once('exit', code => (code === 0 && done ? resolve(done) : reject(new Error(`the provisioning client exited ${code}`))))
  })
}

const { workspace } = await ensureWorkspace(app.db, 'bench')
const { secret } = await app.scimTokens.create(workspace.id, systemActor, { name: 'bench' })
const auth = { authorization: `Bearer ${secret}` }
await app.listen({ host: '127.0.0.1', port: 0 })
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
const pool = new Pool(base, { connections: 1 })

try {
  const target = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'
  console.log(`SCIM on ${target}: ${USERS.toLocaleString('en')} users, ${GROUPS} groups, ${CLIENTS} concurrent clients`)
  const { middleUserName, middleId, everyone } = await provision(base, secret)

  for (const [name, path] of [
    [`GET /Users?filter=userName eq (${USERS.toLocaleString('en')} stored)`, `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${middleUserName}"`)}`],
    ['GET /Users/{id}', `/scim/v2/Users/${middleId}`]
  ]) {
    const r = await autocannon(`${base}${path}`, { connections: CLIENTS, seconds: SECONDS, headers: auth })
    const met = r.rps >= TARGETS.read.rps && r.p99 <= TARGETS.read.p99
    console.log(`  ${name.padEnd(58)} autocannon ${SECONDS} s  ${r.rps.toFixed(0).padStart(5)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms${r.non2xx || r.errors ? `  (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}  ${met ? 'meets target' : 'below target'}`)
  }

  const timings: number[] = []
  let size = 0
  for (let i = 0; i < 11; i++) {
    const started = performance.now()
    const res = await pool.request({ method: 'GET', path: `/scim/v2/Groups/${everyone}`, headers: auth })
    size = (await res.body.text()).length
    timings.push(performance.now() - started)
  }
  timings.sort((a, b) => a - b)
  const median = percentile(timings, 0.5)
  console.log(`  ${`GET /Groups/{id} with ${USERS.toLocaleString('en')} members (${(size / 1024).toFixed(0)} KB)`.padEnd(58)} median of 11: ${median.toFixed(1)} ms  ${median < TARGETS.bigGroupMs ? 'meets target' : 'below target'} (< ${TARGETS.bigGroupMs} ms)`)
  const logged = await app.pluginDb('scim')('scim_requests').where({ workspace_id: workspace.id }).count({ n: '*' })
  console.log(`  provisioning log: ${Number(logged[0].n).toLocaleString('en')} requests recorded`)
} finally {
  await pool.close()
  for (const fn of teardowns.reverse()) await fn()
}
