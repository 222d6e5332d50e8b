// The embedded database serves every connection from PGlite's one session: what an outside client
// (psql, pg_dump) does there must not break Stocktake's own connections (core/db/embedded-session.ts,
// core/db/embedded-queue.ts). Always on the embedded database, whatever the suite runs on.
import t, { type Test } from 'tap'
import pg from 'pg'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import { until } from './helpers/wait.ts'
import { systemActor } from '../core/audit/index.ts'

const IDLE_MS = 1_000
const { app, database, workspace } = await buildTestApp(t, {}, { embedded: { idleInTransactionMs: IDLE_MS } })
const acme = await workspace('acme')
const admin = await app.registry.people.create(acme.id, systemActor, { email: 'admin@acme.test', role: 'admin' })
await app.registry.hardware.create(acme.id, systemActor, { serial: 'SN-SESSION-1', name: 'Session laptop', purchase_date: '2024-03-01' })
const asAdmin = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: admin.id })

/** A connection as psql or pg_dump makes it: the same socket, without Stocktake's application_name. */
async function outsideClient (t: Test): Promise<pg.Client> {
  const url = new URL(database.url)
  url.searchParams.delete('application_name')
  const client = new pg.Client({ connectionString: url.toString() })
  client.on('error', () => {}) // a connection the server closes reports it here too
  await client.connect()
  t.teardown(() => client.end().catch(() => {}))
  return client
}

/** Fails instead of hanging when the app waits on PGlite for good. */
function within<T> (ms: number, promise: Promise<T>): Promise<T | 'timed out'> {
  return Promise.race([promise, new Promise<'timed out'>(resolve => setTimeout(() => resolve('timed out'), ms).unref())])
}

t.test('settings an outside client changes do not reach the app, and stay its own', async t => {
  const dump = await outsideClient(t)
  // What pg_dump runs first, and a date style that would change every date the app reads.
  await dump.query("SELECT pg_catalog.set_config('search_path', '', false)")
  await dump.query("SET datestyle = 'SQL, DMY'")
  await dump.query('CREATE TEMP TABLE hardware (id int)')

  const page = await asAdmin.get('/hardware')
  t.equal(page.statusCode, 200, 'the hardware list renders')
  t.match(page.body, 'Session laptop')
  const ready = await app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 200, ready.body)
  const detail = await app.db('hardware').where({ workspace_id: acme.id }).first('purchase_date')
  t.equal(detail.purchase_date, '2024-03-01', 'dates read in ISO style')

  const own = await dump.query("SELECT current_setting('search_path') AS path, current_setting('datestyle') AS style")
  t.same(own.rows, [{ path: '', style: 'SQL, DMY' }], 'the outside client finds its settings again')
})

t.test('what an outside client leaves in the session goes when it disconnects', async t => {
  const psql = await outsideClient(t)
  await psql.query('PREPARE mine AS SELECT 1')
  await psql.query('CREATE TEMP TABLE leftover (id int)')
  await psql.end()
  // The server learns of the disconnection a moment later; the app's next statement finds a clean session.
  const left = await until(async () => {
    const { rows: [row] } = await app.db.raw("SELECT (SELECT count(*) FROM pg_prepared_statements)::int AS prepared, to_regclass('pg_temp.leftover') IS NOT NULL AS temp")
    return row.prepared === 0 && !row.temp && row
  }, 5_000).catch(() => 'still there')
  t.same(left, { prepared: 0, temp: false })
  // A new client may use the same names.
  const next = await outsideClient(t)
  await next.query('PREPARE mine AS SELECT 2')
  t.same((await next.query('EXECUTE mine')).rows, [{ '?column?': 2 }])
})

t.test('a client idle inside a transaction is rolled back and closed; the app proceeds', async t => {
  const holder = await outsideClient(t)
  const closed = new Promise<Error>(resolve => holder.once('error', resolve))
  await holder.query('BEGIN')
  await holder.query("UPDATE hardware SET name = 'Held' WHERE serial = 'SN-SESSION-1'")
  const started = Date.now()
  const page = await within(15_000, asAdmin.get('/hardware'))
  t.not(page, 'timed out', 'the page is answered')
  if (page === 'timed out') return
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Session laptop', 'the held change was rolled back')
  t.ok(Date.now() - started >= IDLE_MS - 100, 'after the idle bound, not before')
  t.match(await closed, { message: /idle-in-transaction timeout/ }, 'the client is told why')
})

t.test('a client that goes away inside a transaction has it rolled back', async t => {
  const holder = await outsideClient(t)
  await holder.query('BEGIN')
  await holder.query("UPDATE hardware SET name = 'Vanished' WHERE serial = 'SN-SESSION-1'")
  await holder.end()
  const page = await within(15_000, asAdmin.get('/hardware'))
  t.not(page, 'timed out')
  if (page !== 'timed out') t.match(page.body, 'Session laptop')
})
