import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createKnex, migrateAll, startEmbedded, type PluginMigrations } from '../../core/db/index.ts'

const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url))
const pluginsDir = fileURLToPath(new URL('../../plugins/', import.meta.url))

/** The built-in plugins that have migrations of their own (plugins/<id>/migrations/). */
export async function builtinPluginMigrations (): Promise<PluginMigrations[]> {
  const ids = (await fs.readdir(pluginsDir, { withFileTypes: true })).filter(e => e.isDirectory()).map(e => e.name).sort()
  const found: PluginMigrations[] = []
  for (const id of ids) {
    const dir = path.join(pluginsDir, id)
    if (await fs.stat(path.join(dir, 'manifest.json')).then(() => true, () => false) && await fs.stat(path.join(dir, 'migrations')).then(() => true, () => false)) found.push({ id, dir })
  }
  return found
}

/** Every migration file, the core's and the built-in plugins'. */
async function migrationFiles (): Promise<string[]> {
  const files = (await fs.readdir(migrationsDir)).sort().map(file => path.join(migrationsDir, file))
  for (const plugin of await builtinPluginMigrations()) {
    const dir = path.join(plugin.dir, 'migrations')
    files.push(...(await fs.readdir(dir)).sort().map(file => path.join(dir, file)))
  }
  return files
}

/** A name that changes whenever a migration or the PGlite version does. */
async function templateName (): Promise<string> {
  const hash = createHash('sha256')
  const pkg = JSON.parse(await fs.readFile(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8'))
  hash.update(pkg.version)
  // how migrations run (plugins' schemas) shapes the template as much as the migrations do
  const runners = ['../../core/db/migrate.ts', '../../core/db/plugin-schema.ts'].map(file => fileURLToPath(new URL(file, import.meta.url)))
  for (const file of [...runners, ...await migrationFiles()]) hash.update(file).update(await fs.readFile(file))
  return `stocktake-test-template-${hash.digest('hex').slice(0, 16)}.tar`
}

/**
 * A migrated embedded database, dumped once and loaded by every test file: an embedded `initdb`
 * takes seconds, loading its dump about one. Built by whichever test file needs it first.
 */
export async function migratedTemplate (): Promise<Blob> {
  const file = path.join(os.tmpdir(), await templateName())
  try {
    return new Blob([await fs.readFile(file)])
  } catch {}
  const embedded = await startEmbedded(null)
  const db = createKnex(embedded.url, { statementCache: 0 }) // as statementCacheFor gives the embedded database
  try {
    await migrateAll(db, await builtinPluginMigrations())
  } finally {
    await db.destroy()
  }
  const dump = await embedded.dump()
  await embedded.stop()
  // Written aside and renamed, so a test file running in parallel never reads half a file.
  const partial = `${file}.${process.pid}`
  await fs.writeFile(partial, Buffer.from(await dump.arrayBuffer()))
  await fs.rename(partial, file)
  return dump
}
