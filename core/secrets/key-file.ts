import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'

/**
 * Reads a key from the data folder, creating it (random, mode 0600) on first use. Used when the
 * environment does not provide the key, so a single-machine install needs no configuration.
 */
export async function readOrCreateKeyFile (dataDir: string, name: string, bytes = 32): Promise<string> {
  const file = path.join(dataDir, name)
  try {
    return (await fs.readFile(file, 'utf8')).trim()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await fs.mkdir(dataDir, { recursive: true })
  const key = randomBytes(bytes).toString('base64url')
  try {
    await fs.writeFile(file, key, { mode: 0o600, flag: 'wx' })
    return key
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return (await fs.readFile(file, 'utf8')).trim()
    throw err
  }
}

export interface StagedKeyFile {
  /** Moves the staged key over the key file (an atomic rename). */
  commit: () => Promise<void>
  /** Removes the staged key. */
  discard: () => Promise<void>
}

/**
 * Writes a replacement key beside `name` (as `<name>.next`, mode 0600, flushed to disk) so it
 * exists before anything depends on it. Refuses when a `.next` file is already there: it is the
 * key of an unfinished replacement and must not be lost.
 */
export async function stageKeyFile (dataDir: string, name: string, key: string): Promise<StagedKeyFile> {
  const file = path.join(dataDir, name)
  const staged = `${file}.next`
  await fs.mkdir(dataDir, { recursive: true })
  let handle: fs.FileHandle
  try {
    handle = await fs.open(staged, 'wx', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    throw new Error(`${staged} exists: an earlier key change did not finish. Keep that file; ` +
      `if the data is already under that key, move it to ${file}, otherwise remove it and retry.`)
  }
  try {
    await handle.writeFile(key)
    await handle.sync()
  } finally {
    await handle.close()
  }
  return {
    commit: () => fs.rename(staged, file),
    discard: () => fs.rm(staged, { force: true })
  }
}
