// Test-only. A database to run the filter's SQL on, reached without the core (a plugin imports
// nothing from it but core/sdk.ts): the PostgreSQL server at DATABASE_URL, or else an in-memory
// PGlite, the engine of the embedded database. Tables are TEMP, so nothing outlives the session.
// Queries are built with knex, as the app builds them, and run in their compiled ($1, $2…) form.
import { PGlite } from '@electric-sql/pglite'
import knex, { type Knex } from 'knex'
import pg from 'pg'

export interface ScratchDatabase {
  kind: 'postgres' | 'embedded'
  /** Runs SQL that takes no values (DDL, inserts of literals, SET). */
  exec: (sql: string) => Promise<void>
  /** Runs a knex query or raw statement and returns its rows. */
  rows: <Row = Record<string, unknown>>(query: Knex.QueryBuilder | Knex.Raw) => Promise<Row[]>
  close: () => Promise<void>
}

/** A knex without a connection: it only compiles. */
export const builder = knex({ client: 'pg' })

export async function openScratchDatabase (): Promise<ScratchDatabase> {
  const rows = (run: (sql: string, values: unknown[]) => Promise<{ rows: unknown[] }>) =>
    async <Row>(query: Knex.QueryBuilder | Knex.Raw): Promise<Row[]> => {
      const { sql, bindings } = query.toSQL().toNative()
      return (await run(sql, [...bindings])).rows as Row[]
    }
  const url = process.env.DATABASE_URL
  if (url) {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    return {
      kind: 'postgres',
      exec: async sql => { await client.query(sql) },
      rows: rows((sql, values) => client.query(sql, values)),
      close: () => client.end()
    }
  }
  const db = await PGlite.create()
  return {
    kind: 'embedded',
    exec: async sql => { await db.exec(sql) },
    rows: rows((sql, values) => db.query(sql, values)),
    close: () => db.close()
  }
}
