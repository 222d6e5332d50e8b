import knexFactory, { type Knex } from 'knex'
import pg from 'pg'
import type { OpenDatabase } from './open.ts'
import { cacheStatements, DEFAULT_STATEMENT_CACHE, statementCacheFor } from './statement-cache.ts'

// Dates stay strings ('YYYY-MM-DD'): a calendar date has no time zone to shift it.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value)
// bigint counts fit in a JS number for every table this product will hold.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value))

export type Db = Knex

export interface KnexOptions {
  /** Statements each connection keeps prepared (0: none, e.g. behind PgBouncer in transaction mode before 1.21). */
  statementCache?: number
}

export function createKnex (url: string, { statementCache = DEFAULT_STATEMENT_CACHE }: KnexOptions = {}): Knex {
  return knexFactory({
    client: 'pg',
    connection: url,
    pool: {
      min: 0,
      max: 10,
      afterCreate (connection: pg.Client, done: (err: Error | null, connection: pg.Client) => void) {
        cacheStatements(connection, statementCache)
        done(null, connection)
      }
    }
  })
}

/** The knex of an opened database, with as many prepared statements a connection as configured and the database allows. */
export const knexFor = (database: OpenDatabase, configuredStatementCache: number): Knex =>
  createKnex(database.url, { statementCache: statementCacheFor(database.mode, configuredStatementCache) })

/**
 * Adapts a knex transaction to the `db` executor pg-boss accepts, so a job is enqueued in the
 * same transaction as the change that caused it (and never on a second connection, which the
 * embedded database would make wait on this transaction).
 */
export function asPgBossExecutor (trx: Knex | Knex.Transaction) {
  return {
    async executeSql (text: string, values: unknown[] = []) {
      const bindings: unknown[] = []
      const sql = text.replace(/\?/g, '\\?').replace(/\$(\d+)/g, (_m, n: string) => {
        bindings.push(values[Number(n) - 1] ?? null)
        return '?'
      })
      return await trx.raw(sql, bindings as Knex.RawBinding[])
    }
  }
}
