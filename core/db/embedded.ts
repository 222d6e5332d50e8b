import { superviseQueue, type QueueOptions } from './embedded-queue.ts'
import { APP_NAME } from './embedded-session.ts'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export interface EmbeddedDatabase {
  url: string
  /** The folder of the Unix-domain socket (`psql -h <folder>`). */
  socketDir: string
  stop: () => Promise<void>
}

const MAX_CONNECTIONS = 100
/** What every PostgreSQL client looks for in a socket folder: `psql -h <folder>` and pg's `host` find it. */
const SOCKET_FILE = '.s.PGSQL.5432'
/** Room for the socket's path: sun_path holds 108 bytes on Linux and 104 on macOS, with the final NUL. */
const MAX_SOCKET_PATH = 100

export interface EmbeddedOptions extends Partial<QueueOptions> {
  loadDataDir?: Blob
}

/**
 * Runs PGlite behind a Postgres wire-protocol socket, so knex, pg and pg-boss use an ordinary
 * connection string. The socket is a Unix-domain socket in a folder only this user can enter
 * (0700, the socket 0600): nobody else on the machine can connect, and the database files are
 * closed to others the same way. `dataDir: null` keeps the database in memory (tests), with the
 * socket in a private temporary folder.
 */
export async function startEmbedded (dataDir: string | null, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase & { dump: () => Promise<Blob> }> {
  if (process.platform === 'win32') throw new Error('The embedded database is served on a Unix-domain socket, which Node.js does not offer on Windows: set DATABASE_URL to a PostgreSQL server, or run Stocktake in WSL')
  const pgdata = dataDir ? path.join(dataDir, 'pgdata') : null
  if (pgdata) await privateFolder(pgdata)
  const socket = await socketFolder(dataDir)
  // Loaded here, not at the top: PGlite is ~40 MB of memory that a process on PostgreSQL never needs.
  const [{ PGlite }, { pg_trgm: pgTrgm }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'), import('@electric-sql/pglite/contrib/pg_trgm'), import('@electric-sql/pglite-socket')
  ])
  // pg_trgm backs the register's substring search (migrations/004); PostgreSQL ships it in contrib.
  const db = await PGlite.create({ dataDir: pgdata ?? 'memory://', loadDataDir: options.loadDataDir, extensions: { pg_trgm: pgTrgm } })
  const socketPath = path.join(socket.dir, SOCKET_FILE)
  // A socket left by a process that was killed: nobody listens on it (the caller checked embedded.json).
  await fs.rm(socketPath, { force: true })
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: MAX_CONNECTIONS })
  const queue = superviseQueue(server, { idleInTransactionMs: options.idleInTransactionMs ?? 30_000 })
  await server.start()
  await fs.chmod(socketPath, 0o600)
  // Temporary folders are cleaned by age (systemd-tmpfiles); PostgreSQL touches its socket for the same reason.
  const touch = socket.temporary ? setInterval(() => { fs.utimes(socketPath, new Date(), new Date()).catch(() => {}) }, 3_600_000).unref() : undefined
  return {
    url: `postgres://postgres@${encodeURIComponent(socket.dir)}/postgres?application_name=${APP_NAME}`,
    socketDir: socket.dir,
    dump: () => db.dumpDataDir('none'),
    async stop () {
      clearInterval(touch)
      queue.stop()
      await server.stop()
      await db.close()
      if (socket.temporary) await fs.rm(socket.dir, { recursive: true, force: true })
    }
  }
}

/** A folder only this user can enter, made so if it already exists. */
async function privateFolder (dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 })
  await fs.chmod(dir, 0o700)
}

/** `data/socket`, or a private temporary folder for an in-memory database or a data folder whose path is too long for a socket. */
async function socketFolder (dataDir: string | null): Promise<{ dir: string, temporary: boolean }> {
  if (dataDir) {
    const dir = path.resolve(dataDir, 'socket')
    if (Buffer.byteLength(path.join(dir, SOCKET_FILE)) <= MAX_SOCKET_PATH) {
      await privateFolder(dir)
      return { dir, temporary: false }
    }
  }
  // mkdtemp makes the folder 0700.
  return { dir: await fs.mkdtemp(path.join(os.tmpdir(), 'stocktake-db-')), temporary: true }
}

interface Lockfile { pid: number, url: string, socket?: string }

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
  // A record without a socket is from a version that served the database on a loopback port.
  const target = lock.socket ? { path: path.join(lock.socket, SOCKET_FILE) } : { host: new URL(lock.url).hostname, port: Number(new URL(lock.url).port) }
  return await canConnect(target) ? lock.url : null
}

export async function writeLockfile (dataDir: string, database: EmbeddedDatabase): Promise<void> {
  const lock: Lockfile = { pid: process.pid, url: database.url, socket: database.socketDir }
  await fs.writeFile(lockfilePath(dataDir), JSON.stringify(lock), { mode: 0o600 })
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

function canConnect (target: net.NetConnectOpts): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect(target)
    socket.setTimeout(1000)
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => { socket.destroy(); resolve(false) })
  })
}
