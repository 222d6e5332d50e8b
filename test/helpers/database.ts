import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { createKnex, migrateAll, startEmbedded } from '../../core/db/index.ts'
import type { EmbeddedOptions } from '../../core/db/embedded.ts'
import type { Knex } from 'knex'
import { builtinPluginMigrations, migratedTemplate } from './embedded-template.ts'

export interface TestDatabase {
  url: string
  /** The embedded database (else a PostgreSQL server's). */
  embedded: boolean
  db: Knex
  close: () => Promise<void>
}

/**
 * A fresh, migrated database for one test file: an in-memory embedded database by default, or a
 * new database on the server named by DATABASE_URL (dropped afterwards). With `embedded` options,
 * always the embedded database (for tests of the embedded database itself).
 */
export async function createTestDatabase (embeddedOptions?: EmbeddedOptions): Promise<TestDatabase> {
  const serverUrl = embeddedOptions ? undefined : process.env.DATABASE_URL
  if (!serverUrl) {
    const embedded = await startEmbedded(null, { ...embeddedOptions, loadDataDir: await migratedTemplate() })
    const db = createKnex(embedded.url, { statementCache: 0 }) // as statementCacheFor gives the embedded database
    await migrateAll(db, await builtinPluginMigrations())
    return { url: embedded.url, embedded: true, db, close: async () => { await db.destroy(); await embedded.stop() } }
  }
  const name = `stocktake_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const db = createKnex(url.toString())
  await migrateAll(db, await builtinPluginMigrations())
  return {
    url: url.toString(),
    embedded: false,
    db,
    async close () {
      await db.destroy()
      const dropper = new pg.Client({ connectionString: serverUrl })
      await dropper.connect()
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await dropper.end()
    }
  }
}
