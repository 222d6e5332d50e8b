import { keepProtocolUnitsTogether } from './embedded-queue.ts'
import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'

export interface EmbeddedDatabase {
  url: string
  stop: () => Promise<void>
}

const MAX_CONNECTIONS = 100

/**
 * Runs PGlite behind a Postgres wire-protocol socket on loopback, so knex, pg and pg-boss use an
 * ordinary connection string. `dataDir: null` keeps the database in memory (tests).
 */
export async function startEmbedded (dataDir: string | null, options: { loadDataDir?: Blob } = {}): Promise<EmbeddedDatabase & { dump: () => Promise<Blob> }> {
  if (dataDir) await fs.mkdir(dataDir, { recursive: true })
  // Loaded here, not at the top: PGlite is ~40 MB of memory that a process on PostgreSQL never needs.
  const [{ PGlite }, { pg_trgm: pgTrgm }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'), import('@electric-sql/pglite/contrib/pg_trgm'), import('@electric-sql/pglite-socket')
  ])
  // pg_trgm backs the register's substring search (migrations/004); PostgreSQL ships it in contrib.
  const db = await PGlite.create({ dataDir: dataDir ? path.join(dataDir, 'pgdata') : 'memory://', loadDataDir: options.loadDataDir, extensions: { pg_trgm: pgTrgm } })
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: MAX_CONNECTIONS })
  keepProtocolUnitsTogether(server)
  await server.start()
  return {
    url: `postgres://postgres:postgres@${server.getServerConn()}/postgres`,
    dump: () => db.dumpDataDir('none'),
    async stop () {
      await server.stop()
      await db.close()
    }
  }
}

interface Lockfile { pid: number, url: string }

const lockfilePath = (dataDir: string) => path.join(dataDir, 'embedded.json')

/** The connection string of a running Stocktake process that holds this data folder, if any. */
export async function findRunningEmbedded (dataDir: string): Promise<string | null> {
  let lock: Lockfile
  try {
    lock = JSON.parse(await fs.readFile(lockfilePath(dataDir), 'utf8'))
  } catch {
    return null
  }
  if (!isAlive(lock.pid)) return null
  const { hostname, port } = new URL(lock.url)
  return await canConnect(hostname, Number(port)) ? lock.url : null
}

export async function writeLockfile (dataDir: string, url: string): Promise<void> {
  await fs.writeFile(lockfilePath(dataDir), JSON.stringify({ pid: process.pid, url }), { mode: 0o600 })
}

export async function removeLockfile (dataDir: string): Promise<void> {
  await fs.rm(lockfilePath(dataDir), { force: true })
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function canConnect (host: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect({ host, port })
    socket.setTimeout(1000)
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => { socket.destroy(); resolve(false) })
  })
}
