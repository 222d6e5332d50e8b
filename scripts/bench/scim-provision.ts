// The identity provider of scripts/bench-scim.ts, in a process of its own so that it never shares
// the server's event loop: provisions users and groups as Microsoft Entra ID does, from CLIENTS
// concurrent connections, and prints one JSON line per phase, then the ids the reads need.
//   BASE=http://127.0.0.1:port TOKEN=stk_scim_… USERS=10000 GROUPS=200 CLIENTS=8 node --import tsx scripts/bench/scim-provision.ts
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'

const { BASE, TOKEN } = process.env as Record<string, string>
const USERS = Number(process.env.USERS)
const GROUPS = Number(process.env.GROUPS)
const CLIENTS = Number(process.env.CLIENTS)
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User'
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group'
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

export interface PhaseResult { name: string, requests: number, seconds: number, latencies: { p50: number, p99: number } }
type Requester = (method: string, path: string, body?: unknown) => Promise<any>

const pool = new Pool(BASE, { connections: CLIENTS, pipelining: 1 })
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' }
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
const userName = (i: number) => `user${String(i).padStart(6, '0')}@bench.test`

/** Runs `work(i)` for i in [0, count) from CLIENTS concurrent loops, timing every request. */
async function phase (name: string, count: number, work: (i: number, request: Requester) => Promise<void>): Promise<void> {
  const latencies: number[] = []
  const request: Requester = async (method, path, body) => {
    const started = performance.now()
    const res = await pool.request({ method: method as 'GET', path, headers, body: body === undefined ? undefined : JSON.stringify(body) })
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
  latencies.sort((a, b) => a - b)
  const result: PhaseResult = { name, requests: latencies.length, seconds: (performance.now() - started) / 1000, latencies: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) } }
  console.log(JSON.stringify({ phase: result }))
}

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
})

const perGroup = Math.max(1, Math.floor(USERS / GROUPS))
await phase('Groups: filter displayName, create, PATCH add members', GROUPS, async (g, request) => {
  const displayName = `Team ${g}`
  const found = await request('GET', `/scim/v2/Groups?filter=${encodeURIComponent(`displayName eq "${displayName}"`)}&excludedAttributes=members`)
  if (found.totalResults !== 0) throw new Error(`${displayName} exists already`)
  const group = await request('POST', '/scim/v2/Groups', { schemas: [GROUP], displayName, members: [] })
  await request('PATCH', `/scim/v2/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: ids.slice(g * perGroup, (g + 1) * perGroup).map(value => ({ value })) }] })
})

let everyone = ''
await phase('A group of every user, 250 members per PATCH', 1, async (_i, request) => {
  everyone = (await request('POST', '/scim/v2/Groups', { schemas: [GROUP], displayName: 'Everyone', members: [] })).id
  for (let start = 0; start < USERS; start += 250) {
    await request('PATCH', `/scim/v2/Groups/${everyone}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: ids.slice(start, start + 250).map(value => ({ value })) }] })
  }
})

console.log(JSON.stringify({ done: { middleUserName: userName(Math.floor(USERS / 2)), middleId: ids[Math.floor(USERS / 2)], everyone } }))
await pool.close()
