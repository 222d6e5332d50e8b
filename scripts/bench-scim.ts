// Provisions users and groups over /scim/v2 the way Microsoft Entra ID does, then load-tests reads:
//
//   node --import tsx scripts/bench-scim.ts                                 # embedded database (PGlite)
//   DATABASE_URL=postgres://… node --import tsx scripts/bench-scim.ts       # a new database on that server, dropped after
//
// 1. Users: per user, filter by userName (no match), create, then a PATCH (Replace title), from
//    BENCH_CLIENTS (8) concurrent clients over real HTTP. 2. Groups: per group, filter by
//    displayName with excludedAttributes=members, create empty, one PATCH adding its members; then
//    one group holding every user, filled 250 members per PATCH. 3. With the users stored, reads
//    by autocannon in its own process: `filter=userName eq` and GET /Users/{id}. 4. GET of the
//    group with every user. Prints req/s and p50/p99 per phase against the issue's targets.
// BENCH_USERS (10,000), BENCH_GROUPS (200) and BENCH_SECONDS (10) change the sizes.
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
import { buildTestApp } from '../test/helpers/app.ts'
import { systemActor } from '../core/audit/index.ts'
import { ensureWorkspace } from '../core/tenancy/index.ts'
import { autocannon } from './bench/autocannon.ts'

const USERS = Number(process.env.BENCH_USERS ?? 10_000)
const GROUPS = Number(process.env.BENCH_GROUPS ?? 200)
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const TARGETS = { provision: { rps: 1000, p99: 50 }, read: { rps: 2000, p99: 25 }, bigGroupMs: 100 }

const teardowns: Array<() => unknown> = []
const { app } = await buildTestApp({ teardown: fn => { teardowns.push(fn) } }, { STOCKTAKE_WORKER: '0', LOG_LEVEL: 'silent' })

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
const userName = (i: number) => `user${String(i).padStart(6, '0')}@bench.test`

/** Runs `work(i)` for i in [0, count) from CLIENTS concurrent loops; each request's latency is recorded. */
async function phase (name: string, count: number, work: (i: number, request: Requester) => Promise<void>, target?: { rps: number, p99: number }) {
  const latencies: number[] = []
  const request: Requester = async (method, path, body) => {
    const started = performance.now()
    const res = await pool.request({ method: method as 'GET', path, headers: { ...auth, 'content-type': 'application/scim+json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await res.body.text()
    latencies.push(performance.now() - started)
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`)
    return text ? JSON.parse(text) : undefined
  }
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < count) await work(next++, request)
  }))
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const rps = latencies.length / seconds
  const p50 = percentile(latencies, 0.5)
  const p99 = percentile(latencies, 0.99)
  const verdict = target ? (rps >= target.rps && p99 <= target.p99 ? 'meets target' : 'below target') : ''
  console.log(`  ${name.padEnd(58)} ${latencies.length.toLocaleString('en').padStart(7)} requests in ${seconds.toFixed(1)} s  ${rps.toFixed(0).padStart(5)} req/s  p50 ${p50.toFixed(1)} ms  p99 ${p99.toFixed(1)} ms  ${verdict}`)
}

type Requester = (method: string, path: string, body?: unknown) => Promise<any>

const { workspace } = await ensureWorkspace(app.db, 'bench')
const { secret } = await app.scimTokens.create(workspace.id, systemActor, { name: 'bench' })
const auth = { authorization: `Bearer ${secret}` }
await app.listen({ host: '127.0.0.1', port: 0 })
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
const pool = new Pool(base, { connections: CLIENTS, pipelining: 1 })

try {
  const target = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'
  console.log(`SCIM on ${target}: ${USERS.toLocaleString('en')} users, ${GROUPS} groups, ${CLIENTS} concurrent clients`)
  const ids: string[] = new Array(USERS)
  await phase('Users: filter userName, create, PATCH title (Entra)', USERS, async (i, request) => {
    const found = await request('GET', `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName(i)}"`)}`)
    if (found.totalResults !== 0) throw new Error(`${userName(i)} exists already`)
    const user = await request('POST', '/scim/v2/Users', {
      schemas: [USER],
      userName: userName(i),
      externalId: `ext-${i}`,
      active: true,
      displayName: `User ${i}`,
      name: { givenName: 'User', familyName: String(i) },
      emails: [{ type: 'work', primary: true, value: userName(i) }]
    })
    ids[i] = user.id
    await request('PATCH', `/scim/v2/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'title', value: 'Engineer' }] })
  }, TARGETS.provision)

  const perGroup = Math.max(1, Math.floor(USERS / GROUPS))
  await phase('Groups: filter displayName, create, PATCH add members', GROUPS, async (g, request) => {
    const displayName = `Team ${g}`
    const found = await request('GET', `/scim/v2/Groups?filter=${encodeURIComponent(`displayName eq "${displayName}"`)}&excludedAttributes=members`)
    if (found.totalResults !== 0) throw new Error(`${displayName} exists already`)
    const group = await request('POST', '/scim/v2/Groups', { schemas: [GROUP], displayName, members: [] })
    const members = ids.slice(g * perGroup, (g + 1) * perGroup).map(value => ({ value }))
    await request('PATCH', `/scim/v2/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: members }] })
  }, TARGETS.provision)

  let everyone = ''
  await phase('A group of every user, 250 members per PATCH', 1, async (_i, request) => {
    everyone = (await request('POST', '/scim/v2/Groups', { schemas: [GROUP], displayName: 'Everyone', members: [] })).id
    for (let start = 0; start < USERS; start += 250) {
      await request('PATCH', `/scim/v2/Groups/${everyone}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: ids.slice(start, start + 250).map(value => ({ value })) }] })
    }
  })

  const middle = Math.floor(USERS / 2)
  for (const [name, path] of [
    [`GET /Users?filter=userName eq (${USERS.toLocaleString('en')} stored)`, `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName(middle)}"`)}`],
    ['GET /Users/{id}', `/scim/v2/Users/${ids[middle]}`]
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
  const logged = await app.db('scim_requests').where({ workspace_id: workspace.id }).count({ n: '*' })
  console.log(`  provisioning log: ${Number(logged[0].n).toLocaleString('en')} requests recorded`)
} finally {
  await pool.close()
  for (const fn of teardowns.reverse()) await fn()
}
