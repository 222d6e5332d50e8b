// The embedded database serves many connections from one PGlite session: extended-protocol
// messages of concurrent connections must not interleave (core/db/embedded-queue.ts).
import t from 'tap'
import pg from 'pg'
import { startEmbedded } from '../core/db/index.ts'

const embedded = await startEmbedded(null)
const pool = new pg.Pool({ connectionString: embedded.url, max: 8 })
t.teardown(async () => { await pool.end(); await embedded.stop() })

t.test('concurrent parameterised queries on many connections all get their own answers', async t => {
  const queries = Array.from({ length: 400 }, (_, i) => i % 2 === 0
    ? pool.query('SELECT $1::int + $2::int AS n', [i, 1]).then(r => r.rows[0].n === i + 1)
    : pool.query('SELECT length($1::text) AS n', ['x'.repeat(i)]).then(r => r.rows[0].n === i))
  const results = await Promise.allSettled(queries)
  const failures = results.filter(r => r.status === 'rejected' || r.value !== true)
  t.equal(failures.length, 0, `${failures.length} of 400 queries failed or got another query's answer`)
})

t.test('a message split over several TCP packets is not interleaved with other connections', async t => {
  const big = 'y'.repeat(300_000)
  const queries = Array.from({ length: 60 }, (_, i) => i % 3 === 0
    ? pool.query('SELECT length($1::text) + $2::int AS n', [big, i]).then(r => r.rows[0].n === big.length + i)
    : pool.query('SELECT $1::int * 2 AS n', [i]).then(r => r.rows[0].n === i * 2))
  const results = await Promise.race([
    Promise.allSettled(queries),
    new Promise<'hung'>(resolve => setTimeout(() => resolve('hung'), 20_000).unref())
  ])
  t.not(results, 'hung', 'every query answered')
  if (results !== 'hung') t.equal(results.filter(r => r.status === 'rejected' || r.value !== true).length, 0)
})

t.test('an error on one connection does not wedge the others', async t => {
  const bad = Array.from({ length: 50 }, () => pool.query('SELECT 1 / $1::int', [0]).then(() => 'ok', () => 'error'))
  const good = Array.from({ length: 50 }, (_, i) => pool.query('SELECT $1::int AS n', [i]).then(r => r.rows[0].n === i))
  t.same(new Set(await Promise.all(bad)), new Set(['error']))
  t.same(new Set(await Promise.all(good)), new Set([true]))
})
