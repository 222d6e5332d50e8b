// kill -9 of the real server in the middle of a burst of webhook deliveries, then a restart on the
// same database: the jobs the dead process held (its deliveries in flight, the workspace's
// events.dispatch) are handed back, so deliveries resume within seconds, not after pg-boss's
// 15-minute expiry, and every event is delivered.
import t from 'tap'
import { request } from 'undici'
import { runToEnd } from './helpers/process.ts'
import { freePort, killHard, serverDatabase, startServer } from './helpers/server-process.ts'
import { until } from './helpers/wait.ts'
import { timedReceiver } from './helpers/webhook-receiver.ts'

t.setTimeout(240_000)

const BURST = 300

t.test('after kill -9 mid-burst, a restart resumes webhook deliveries within seconds and delivers every event', async t => {
  const database = await serverDatabase(t, { STOCKTAKE_WEBHOOK_ALLOW_PRIVATE: '1' })
  const port = await freePort()
  const first = await startServer(t, database.env, port)
  const minted = await runToEnd('node', ['scripts/stocktake.js', 'create-token', '--workspace', 'acme', '--name', 'burst', '--abilities', 'hardware:write,webhooks:manage'], database.env)
  t.equal(minted.code, 0, minted.output)
  const token = minted.output.trim().split('\n').at(-1)!
  const api = async (method: 'POST' | 'GET', url: string, body?: unknown) => {
    const res = await request(`http://127.0.0.1:${port}${url}`, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body)
    })
    const text = await res.body.text()
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${text}`)
    return JSON.parse(text)
  }

  const receiver = await timedReceiver(300)
  t.teardown(receiver.close)
  await api('POST', '/api/webhooks', { url: receiver.url, events: ['hardware.created'] })
  // The burst: one event each, written four at a time.
  let next = 0
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < BURST) {
      const i = next++
      await api('POST', '/api/hardware', { serial: `BURST-${i}`, name: `Burst ${i}` })
    }
  }))
  await until(() => receiver.firstSeen.size >= 20, 60_000)
  await killHard(first)
  const beforeRestart = receiver.firstSeen.size
  t.ok(beforeRestart < BURST, `killed mid-burst (${beforeRestart} of ${BURST} delivered)`)

  const restartedAt = performance.now()
  const second = await startServer(t, database.env, port)
  await until(() => receiver.arrivals.some(at => at > second.readyAt), 60_000)
  const firstAfter = Math.min(...receiver.arrivals.filter(at => at > restartedAt))
  t.comment(`first delivery ${((firstAfter - restartedAt) / 1000).toFixed(1)} s after the restart (${((second.readyAt - restartedAt) / 1000).toFixed(1)} s to start)`)

  await until(() => receiver.firstSeen.size === BURST, 60_000)
  const lastAfter = Math.max(...receiver.firstSeen.values())
  t.comment(`every event delivered ${((lastAfter - restartedAt) / 1000).toFixed(1)} s after the restart`)
  t.ok(lastAfter - second.readyAt < 45_000, 'the deliveries the dead process held were handed back, not left to a 15-minute expiry')

  // A change after the restart gets past the dispatcher the dead process held.
  const created = performance.now()
  const { id } = await api('POST', '/api/hardware', { serial: 'AFTER-1', name: 'After the restart' })
  await until(() => receiver.firstSeen.size === BURST + 1, 45_000)
  t.comment(`a new event delivered in ${((Math.max(...receiver.firstSeen.values()) - created) / 1000).toFixed(1)} s`)
  t.ok(id)

  const settled = await until(async () => {
    const [row] = await database.query(db => db('webhook_deliveries').select(db.raw("count(*) FILTER (WHERE status = 'succeeded')::int AS ok, count(*)::int AS n")))
    return row.ok === row.n && row
  }, 30_000)
  t.equal(settled.n, BURST + 1, 'every delivery ended delivered: none left pending or failed')
  second.child.kill('SIGTERM')
  t.equal(await second.exited, 0)
})
