import { existsSync } from 'node:fs'
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

/** Where a plugin keeps its own migrations: `migrations/` in its folder. */
export interface PluginMigrations { id: string, dir: string }

/**
 * A plugin's own migrations (`<folder>/migrations/*.ts`, tables named `<id>_…`), tracked in a
 * table of their own: removing a plugin never leaves the core's history naming files it lacks.
 */
export async function migratePlugin (db: Knex, plugin: PluginMigrations): Promise<string[]> {
  const folder = path.join(plugin.dir, 'migrations')
  if (!existsSync(folder)) return []
  const [, applied] = await db.migrate.latest({ migrationSource: new FolderSource(folder), tableName: `plugin_migrations_${plugin.id.replace(/-/g, '_')}` })
  return (applied as string[]).map(name => `${plugin.id}/${name}`)
}

/** The core's migrations, then each plugin's: what start-up, `stocktake migrate` and tests run. */
export async function migrateAll (db: Knex, plugins: readonly PluginMigrations[]): Promise<string[]> {
  const applied = await migrateToLatest(db)
  for (const plugin of plugins) applied.push(...await migratePlugin(db, plugin))
  return applied
}
