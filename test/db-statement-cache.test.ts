// Prepared statements (core/db/statement-cache.ts): each connection parses a parameterised
// statement once and runs it by name after, within a bounded cache, and never fails a query
// because of it.
import t from 'tap'
import type { Knex } from 'knex'
import { createKnex, statementCacheFor } from '../core/db/index.ts'
import { loadConfig } from '../core/config.ts'
import { createTestDatabase } from './helpers/database.ts'

const database = await createTestDatabase()
t.teardown(database.close)
const knexes: Knex[] = []
t.teardown(async () => { await Promise.all(knexes.map(k => k.destroy())) })
const knexWith = (statementCache: number) => {
  const knex = createKnex(database.url, { statementCache })
  knexes.push(knex)
  return knex
}

/**
 * The session's prepared statements of one series of probes (100s, 200s, …; texts unique to this
 * file): on the embedded database every connection shares one session, so earlier tests' are there too.
 */
async function preparedProbes (trx: Knex.Transaction, series: number): Promise<Array<{ name: string, statement: string }>> {
  // Without parameters, so that this query is not prepared itself.
  const { rows } = await trx.raw(`SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE '%-- probe ${Number(series)}__%' ORDER BY prepare_time, name`)
  return rows
}
const probe = (trx: Knex.Transaction, n: number, value = 1) => trx.raw(`SELECT ?::int + ${n} AS sum \n-- probe ${n}`, [value])
const sumOf = (result: { rows: Array<{ sum: number }> }) => result.rows[0].sum

const twice = async <T>(run: () => Promise<T>): Promise<T> => { await run(); return await run() }

t.test('a statement run again is prepared then, and executed by name from then on', async t => {
  await knexWith(10).transaction(async trx => {
    t.equal(sumOf(await probe(trx, 100, 1)), 101)
    t.same(await preparedProbes(trx, 1), [], 'not on its first run: it may be a one-off')
    t.equal(sumOf(await probe(trx, 100, 2)), 102)
    t.equal(sumOf(await probe(trx, 100, 3)), 103, 'each run with its own value')
    const prepared = await preparedProbes(trx, 1)
    t.equal(prepared.length, 1, 'one prepared statement')
    t.match(prepared[0].name, /^stocktake_[0-9a-f]{8}_\d+$/)
  })
})

t.test('beyond its size, a connection deallocates the statement used longest ago', async t => {
  await knexWith(2).transaction(async trx => {
    await twice(() => probe(trx, 201))
    await twice(() => probe(trx, 202))
    await probe(trx, 201) // 201 is now the most recent
    await twice(() => probe(trx, 203)) // so 202 goes
    t.same((await preparedProbes(trx, 2)).map(p => p.statement.match(/probe (\d+)/)?.[1]).sort(), ['201', '203'])
    t.equal(sumOf(await twice(() => probe(trx, 202, 5))), 207, 'a deallocated statement runs again, prepared anew')
    const names = (await preparedProbes(trx, 2)).map(p => p.name)
    t.equal(new Set(names).size, names.length, 'names are never reused')
  })
})

t.test('what is not prepared: no parameters, a table\'s columns expanded by *, long texts, more than 32 parameters', async t => {
  await knexWith(10).transaction(async trx => {
    await twice(() => trx.raw('SELECT 1 AS one \n-- probe 301'))
    await twice(() => trx.raw('SELECT * FROM workspaces WHERE slug = ? \n-- probe 302', ['none']))
    await twice(() => trx.raw('UPDATE workspaces SET name = name WHERE slug = ? RETURNING * \n-- probe 303', ['none']))
    await twice(() => trx.raw(`SELECT ?::text AS long \n-- probe 304 ${'x'.repeat(9000)}`, ['a']))
    const many = Array.from({ length: 33 }, (_, i) => i)
    await twice(() => trx.raw(`SELECT 1 = ANY(ARRAY[${many.map(() => '?::int').join(', ')}]) AS found \n-- probe 307`, many))
    await twice(() => trx.raw('SELECT count(*) FROM workspaces WHERE slug = ? \n-- probe 305', ['none']))
    await twice(() => trx.raw('WITH w AS (UPDATE workspaces SET name = name WHERE slug = ? RETURNING id, name) SELECT * FROM w \n-- probe 306', ['none']))
    t.same((await preparedProbes(trx, 3)).map(p => p.statement.match(/probe (\d+)/)?.[1]).sort(), ['305', '306'],
      'count(*) and the * of a CTE of its own are prepared')
  })
})

t.test('a table altered after its statements were prepared: they still run, with the new column', async t => {
  const knex = knexWith(10)
  await knex.raw('CREATE TABLE statement_cache_probe (id int PRIMARY KEY, a text)')
  await knex.raw('INSERT INTO statement_cache_probe VALUES (1, \'one\')')
  await knex.transaction(async trx => {
    const read = () => trx.raw('SELECT id, a FROM statement_cache_probe WHERE id = ? \n-- probe 401', [1])
    const star = () => trx.raw('SELECT * FROM statement_cache_probe WHERE id = ? \n-- probe 402', [1])
    await twice(read)
    await twice(star)
    await trx.raw('ALTER TABLE statement_cache_probe ADD COLUMN b text DEFAULT \'bee\'')
    t.same((await read()).rows, [{ id: 1, a: 'one' }])
    t.same((await star()).rows, [{ id: 1, a: 'one', b: 'bee' }])
  })
})

t.test('failures leave the cache usable: a statement that did not parse, an aborted transaction, a rollback', async t => {
  const knex = knexWith(1)
  for (let i = 0; i < 3; i++) {
    await t.rejects(knex.raw('SELECT ?::int FROM no_such_table \n-- probe 501', [1]), { code: '42P01' }, `the same error every time (${i + 1})`)
  }
  await t.rejects(knex.transaction(async trx => {
    await probe(trx, 504)
    await twice(() => probe(trx, 502))
    await t.rejects(trx.raw('SELECT ?::int / 0 \n-- probe 503', [1]), { code: '22012' })
    await probe(trx, 504) // seen before: prepared now, evicting 502, whose DEALLOCATE fails (the transaction is aborted); then fails
  }), { code: '25P02' })
  await knex.transaction(async trx => {
    t.equal(sumOf(await twice(() => probe(trx, 502, 1))), 503, 'the evicted statement runs again')
    t.equal(sumOf(await probe(trx, 504, 1)), 505, 'the one refused in the aborted transaction runs')
  })
  await knex.transaction(async trx => {
    await twice(() => probe(trx, 505))
    await trx.rollback()
  }).catch(() => {})
  await knex.transaction(async trx => {
    t.equal(sumOf(await probe(trx, 505, 1)), 506)
    t.same((await preparedProbes(trx, 5)).map(p => p.statement.match(/probe (\d+)/)?.[1]).filter(n => n === '505'), ['505'],
      'a statement prepared in a rolled-back transaction is still there')
  })
})

t.test('size 0 prepares nothing', async t => {
  await knexWith(0).transaction(async trx => {
    await twice(() => probe(trx, 601))
    t.same(await preparedProbes(trx, 6), [])
  })
})

t.test('STOCKTAKE_DB_STATEMENT_CACHE: 200 a connection by default, never on the embedded database', async t => {
  t.equal(loadConfig({}).dbStatementCache, 200)
  t.equal(loadConfig({ STOCKTAKE_DB_STATEMENT_CACHE: '0' }).dbStatementCache, 0)
  t.throws(() => loadConfig({ STOCKTAKE_DB_STATEMENT_CACHE: '-1' }), /STOCKTAKE_DB_STATEMENT_CACHE must be >= 0/)
  t.equal(statementCacheFor('server', 200), 200)
  t.equal(statementCacheFor('embedded', 200), 0)
  t.equal(statementCacheFor('shared', 200), 0)
})
