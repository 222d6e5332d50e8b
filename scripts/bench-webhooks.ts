// Webhook fan-out: 10,000 events committed at once reach a local receiver, signed, none lost,
// each record's events in order.
//
//   node --import tsx scripts/bench-webhooks.ts                             # embedded database (PGlite)
//   DATABASE_URL=postgres://… node --import tsx scripts/bench-webhooks.ts   # a new database on that server, dropped after
//
// Commits BENCH_EVENTS events (default 10,000: BENCH_PER_RECORD = 5 per record, a created and
// four updates) in one transaction through the outbox, and times until the receiver has all of
// them. The receiver verifies every signature with the standardwebhooks package, counts each
// webhook-id once (a receiver deduplicating by webhook-id) and checks the order per record.
// Target on a 2-core machine: 10,000 events in ≤ 20 s with none lost.
import { randomUUID } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { Webhook } from 'standardwebhooks'
import { buildTestApp } from '../test/helpers/app.ts'
import { systemActor } from '../core/audit/index.ts'
import { ensureWorkspace } from '../core/tenancy/index.ts'
import type { NewEvent } from '../core/events/index.ts'

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000)
const PER_RECORD = Number(process.env.BENCH_PER_RECORD ?? 5)
const TARGET_S = 20

const teardowns: Array<() => unknown> = []
const { app } = await buildTestApp({ teardown: fn => { teardowns.push(fn) } }, { STOCKTAKE_WEBHOOK_ALLOW_PRIVATE: '1' })

let verifier: Webhook
const seen = new Set<string>()
const lastStep = new Map<string, number>()
let received = 0
let outOfOrder = 0
let badSignatures = 0
let done: () => void
const allThere = new Promise<void>(resolve => { done = resolve })

const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', c => chunks.push(c))
  req.on('end', () => {
    received++
    const body = Buffer.concat(chunks).toString('utf8')
    try {
      const event = verifier.verify(body, req.headers as Record<string, string>) as { id: string, data: { id: string, step: number } }
      if (!seen.has(event.id)) {
        seen.add(event.id)
        if ((lastStep.get(event.data.id) ?? -1) > event.data.step) outOfOrder++
        lastStep.set(event.data.id, event.data.step)
      }
    } catch { badSignatures++ }
    res.writeHead(204).end()
    if (seen.size === EVENTS) done()
  })
})
await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`

try {
  const { workspace } = await ensureWorkspace(app.db, 'bench')
  const { secret } = await app.webhooks.create(workspace.id, systemActor, { url, events: ['*'] })
  verifier = new Webhook(secret)

  // Step s of every record, then step s + 1: each record's events interleave with the others'.
  const records = Array.from({ length: Math.ceil(EVENTS / PER_RECORD) }, () => randomUUID())
  const events: NewEvent[] = []
  for (let step = 0; events.length < EVENTS; step++) {
    for (const id of records) {
      if (events.length === EVENTS) break
      events.push({ type: step === 0 ? 'hardware.created' : 'hardware.updated', payload: { id, step, serial: `BENCH-${id.slice(0, 8)}`, name: `Bench ${step}` } })
    }
  }

  const started = performance.now()
  await app.db.transaction(async trx => { await app.events.emit(trx, workspace.id, events) })
  const committed = performance.now()
  const timeout = setTimeout(() => done(), 120_000)
  await allThere
  clearTimeout(timeout)
  const elapsed = (performance.now() - started) / 1000

  const statuses = await app.db('webhook_deliveries').where({ workspace_id: workspace.id }).groupBy('status').select('status', app.db.raw('count(*)::int AS n'))
  const database = process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded (PGlite)'
  console.log(`webhook fan-out on ${database}: ${EVENTS} events over ${records.length} records, one subscription`)
  console.log(`  committed in ${((committed - started) / 1000).toFixed(2)} s; all received after ${elapsed.toFixed(2)} s (${Math.round(EVENTS / elapsed)} events/s)`)
  console.log(`  received ${seen.size} distinct of ${EVENTS} (lost ${EVENTS - seen.size}), ${received} requests, ${badSignatures} bad signatures, ${outOfOrder} out of order`)
  console.log(`  deliveries: ${statuses.map(s => `${s.n} ${s.status}`).join(', ')}`)
  console.log(`  target ≤ ${TARGET_S} s with none lost: ${elapsed <= TARGET_S && seen.size === EVENTS && outOfOrder === 0 ? 'met' : 'NOT met'}`)
} finally {
  receiver.closeAllConnections()
  receiver.close()
  for (const fn of teardowns.reverse()) await fn()
}
