// The real server as a process on the suite's database, for tests that kill it: the embedded database
// in a temporary data folder by default (the server holds it), or a fresh database on the
// DATABASE_URL server. The test reaches the same database while the server runs.
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { Knex } from 'knex'
import { createKnex, startEmbedded } from '../../core/db/index.ts'
import { createTestDatabase } from './database.ts'
import { launch, type Running } from './process.ts'

interface Teardown { teardown: (fn: () => unknown) => void }

export async function freePort (): Promise<number> {
  return await new Promise(resolve => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export interface ServerDatabase {
  /** The environment of every process on this database (the server, the CLI). */
  env: Record<string, string>
  embedded: boolean
  /** Runs `fn` on a connection to the database (on the embedded one: through the socket of the process holding it). */
  query: <T>(fn: (db: Knex) => Promise<T>) => Promise<T>
  /** Runs `fn` while no process is running on it (the embedded database is opened here for the moment). */
  read: <T>(fn: (db: Knex) => Promise<T>) => Promise<T>
}

async function onKnex<T> (url: string, fn: (db: Knex) => Promise<T>): Promise<T> {
  const db = createKnex(url, { statementCache: 0 })
  try {
    return await fn(db)
  } finally {
    await db.destroy()
  }
}

export async function serverDatabase (t: Teardown, extraEnv: Record<string, string> = {}): Promise<ServerDatabase> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stocktake-process-'))
  t.teardown(() => fs.rm(dataDir, { recursive: true, force: true }))
  const base = { STOCKTAKE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', STOCKTAKE_WORKSPACE: 'acme', ...extraEnv }
  if (process.env.DATABASE_URL) {
    const database = await createTestDatabase()
    t.teardown(() => database.close())
    return { env: { ...base, DATABASE_URL: database.url }, embedded: false, query: fn => fn(database.db), read: fn => fn(database.db) }
  }
  return {
    env: { ...base, DATABASE_URL: '' },
    embedded: true,
    async query (fn) {
      const { url } = JSON.parse(await fs.readFile(path.join(dataDir, 'embedded.json'), 'utf8'))
      return await onKnex(url, fn)
    },
    async read (fn) {
      const embedded = await startEmbedded(dataDir)
      try {
        return await onKnex(embedded.url, fn)
      } finally {
        await embedded.stop()
      }
    }
  }
}

export interface ServerProcess extends Running {
  port: number
  /** performance.now() when it printed that it is running. */
  readyAt: number
}

/** Starts `node core/server.ts` (what `npm start` runs) and waits until it serves. */
export async function startServer (t: Teardown, env: Record<string, string>, port: number): Promise<ServerProcess> {
  const server = launch('node', ['--import=tsx', 'core/server.ts'], { ...env, PORT: String(port) })
  t.teardown(() => { if (server.child.exitCode === null) server.child.kill('SIGKILL') })
  await server.waitFor(/Stocktake is running/, 90_000)
  return { ...server, port, readyAt: performance.now() }
}

/** kill -9, and wait until it is gone. */
export async function killHard (server: Running): Promise<void> {
  server.child.kill('SIGKILL')
  await server.exited
}
