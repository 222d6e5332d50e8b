import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createKnex, migrateToLatest, startEmbedded } from '../../core/db/index.ts'

const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url))

/** A name that changes whenever a migration or the PGlite version does. */
async function templateName (): Promise<string> {
  const hash = createHash('sha256')
  const pkg = JSON.parse(await fs.readFile(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8'))
  hash.update(pkg.version)
  for (const file of (await fs.readdir(migrationsDir)).sort()) {
    hash.update(file).update(await fs.readFile(path.join(migrationsDir, file)))
  }
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
  const db = createKnex(embedded.url)
  try {
    await migrateToLatest(db)
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
