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
