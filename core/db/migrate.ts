import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Knex } from 'knex'

const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url))

/** Reads migrations/*.ts in name order; each exports `up` and `down`. */
class FolderSource implements Knex.MigrationSource<string> {
  constructor (private readonly dir: string) {}
  async getMigrations () {
    return (await fs.readdir(this.dir)).filter(f => /^\d+.*\.ts$/.test(f)).sort()
  }

  getMigrationName (name: string) { return name }
  async getMigration (name: string) {
    return await import(path.join(this.dir, name)) as Knex.Migration
  }
}

export async function migrateToLatest (db: Knex, dir = migrationsDir): Promise<string[]> {
  const [, applied] = await db.migrate.latest({ migrationSource: new FolderSource(dir) })
  return applied as string[]
}
