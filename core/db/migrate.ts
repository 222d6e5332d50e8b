import { existsSync } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Knex } from 'knex'
import { pluginSchema, preparePluginSchema } from './plugin-schema.ts'

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
 * A plugin's migrations, each run in its transaction with the plugin's schema first on the search
 * path: its tables are created there, and it may still name core tables (`REFERENCES users(id)`).
 */
class PluginFolderSource extends FolderSource {
  constructor (dir: string, private readonly schema: string) { super(dir) }
  async getMigration (name: string): Promise<Knex.Migration> {
    const migration = await super.getMigration(name)
    const inSchema = (step: (knex: Knex) => PromiseLike<unknown>) => async (trx: Knex) => {
      await trx.raw('SET LOCAL search_path TO ??, public', [this.schema])
      await step(trx)
    }
    return { up: inSchema(migration.up), ...(migration.down === undefined ? {} : { down: inSchema(migration.down) }) }
  }
}

/**
 * A plugin's own migrations (`<folder>/migrations/*.ts`, tables named `<id>_…` in the schema
 * `plugin_<id>`), tracked in a table of their own in public: removing a plugin never leaves the
 * core's history naming files it lacks.
 */
export async function migratePlugin (db: Knex, plugin: PluginMigrations): Promise<string[]> {
  const folder = path.join(plugin.dir, 'migrations')
  if (!existsSync(folder)) return []
  await preparePluginSchema(db, plugin.id)
  const [, applied] = await db.migrate.latest({
    migrationSource: new PluginFolderSource(folder, pluginSchema(plugin.id)),
    tableName: `plugin_migrations_${plugin.id.replace(/-/g, '_')}`,
    schemaName: 'public'
  })
  return (applied as string[]).map(name => `${plugin.id}/${name}`)
}

/** The core's migrations, then each plugin's: what start-up, `stocktake migrate` and tests run. */
export async function migrateAll (db: Knex, plugins: readonly PluginMigrations[]): Promise<string[]> {
  const applied = await migrateToLatest(db)
  for (const plugin of plugins) applied.push(...await migratePlugin(db, plugin))
  return applied
}
