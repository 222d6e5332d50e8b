import type { Config } from '../config.ts'
import { findRunningEmbedded, removeLockfile, startEmbedded, writeLockfile } from './embedded.ts'

export interface OpenDatabase {
  url: string
  /** 'server' for DATABASE_URL, 'embedded' when this process holds the data folder, 'shared' when another one does. */
  mode: 'server' | 'embedded' | 'shared'
  close: () => Promise<void>
}

/**
 * Resolves where the database is. PGlite allows one process per data folder, so a second
 * process (the CLI, a worker) reaches the embedded database through the socket of the process
 * that holds it, and opens the folder itself only when nobody does.
 */
export async function openDatabase (config: Pick<Config, 'databaseUrl' | 'dataDir'>, options: { share?: boolean } = {}): Promise<OpenDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, mode: 'server', close: async () => {} }
  const running = await findRunningEmbedded(config.dataDir)
  if (running) return { url: running, mode: 'shared', close: async () => {} }
  const embedded = await startEmbedded(config.dataDir)
  if (options.share !== false) await writeLockfile(config.dataDir, embedded)
  return {
    url: embedded.url,
    mode: 'embedded',
    async close () {
      if (options.share !== false) await removeLockfile(config.dataDir)
      await embedded.stop()
    }
  }
}
