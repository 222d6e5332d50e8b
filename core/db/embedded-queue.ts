import type { PGlite } from '@electric-sql/pglite'
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { SessionKeeper } from './embedded-session.ts'

// pglite-socket 0.2.17 queues wire-protocol messages one by one across connections. PGlite is a
// single session, so a Parse/Bind/Execute of one connection could interleave with another's (the
// unnamed statement overwritten; after an error PostgreSQL then skips everything up to a Sync,
// leaving the other connection waiting forever), and a throwing message left the queue stuck. This
// replaces the queue's scheduler: a connection keeps PGlite from its first extended-protocol
// message to its Sync (and, as before, for a whole transaction), and a failure never wedges it.
// Around that it keeps the one session fit to share: what an outside client leaves in it is
// reset before another connection runs (core/db/embedded-session.ts), and a connection that holds
// PGlite idle inside a transaction is rolled back and closed after a bound, so others proceed.
// Checked against the pinned version by test/embedded-queue.test.ts and test/embedded-session.test.ts.

interface QueuedMessage {
  handlerId: number
  message: Uint8Array
  resolve: (size: number) => void
  reject: (error: Error) => void
  onData: (data: Uint8Array) => void
}

interface QueueInternals {
  queue: QueuedMessage[]
  processing: boolean
  db: PGlite
  lastHandlerId: number | null
  processQueue: () => Promise<void>
  clearQueueForHandler: (handlerId: number) => void
}

interface HandlerInternals {
  handlerId: number
  socket: { writable: boolean, write: (data: Uint8Array) => boolean } | null
  handleError: (err: Error) => void
}

interface ServerInternals {
  queryQueue: QueueInternals
  handlers: Set<HandlerInternals>
}

export interface QueueOptions {
  /** How long a connection may hold PGlite idle inside a transaction (or an unfinished query) before it is rolled back and closed. */
  idleInTransactionMs: number
}

// Parse, Bind, Describe, Execute, Close and Flush continue a unit; Sync, Query and the rest end it.
const CONTINUES_UNIT = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map(c => c.charCodeAt(0)))

export function superviseQueue (server: PGLiteSocketServer, options: QueueOptions): { stop: () => void } {
  const internals = server as unknown as ServerInternals
  const q = internals.queryQueue
  if (!q || !Array.isArray(q.queue) || typeof q.processQueue !== 'function' || !(internals.handlers instanceof Set)) {
    throw new Error('@electric-sql/pglite-socket changed its queue; review core/db/embedded-queue.ts')
  }
  const session = new SessionKeeper(q.db)
  let unitOpen = false
  /** PGlite is held by q.lastHandlerId: inside its transaction or between its Parse and Sync. */
  const held = () => unitOpen || q.db.isInTransaction()
  const idle = idleWatch(options.idleInTransactionMs, owner => {
    if (q.processing || !held() || q.lastHandlerId !== owner) return
    const handler = [...internals.handlers].find(h => h.handlerId === owner)
    if (!handler) return
    // Closing it runs the package's detach: its queue is cleared and its transaction rolled back.
    if (handler.socket?.writable) handler.socket.write(idleTimeoutError(options.idleInTransactionMs))
    handler.handleError(new Error('Idle in transaction timeout'))
  })

  const clear = q.clearQueueForHandler.bind(q)
  q.clearQueueForHandler = (handlerId: number) => {
    session.closed(handlerId)
    if (q.lastHandlerId === handlerId) unitOpen = false
    clear(handlerId)
    // A connection that vanished inside a unit (no transaction to roll back) held the others up.
    q.processQueue().catch(() => {})
  }
  q.processQueue = async function processQueue () {
    if (q.processing) return
    q.processing = true
    try {
      while (q.queue.length > 0) {
        const owner = held() ? q.lastHandlerId : null
        const index = owner === null ? 0 : q.queue.findIndex(m => m.handlerId === owner)
        if (index === -1) break
        const [next] = q.queue.splice(index, 1)
        idle.stop()
        let size = 0
        try {
          if (owner === null) await session.prepare(next.handlerId, next.message)
          await q.db.runExclusive(() => q.db.execProtocolRawStream(next.message, {
            onRawData: data => { size += data.length; next.onData(data) }
          }))
        } catch (err) {
          unitOpen = false
          next.reject(err as Error)
          continue
        }
        q.lastHandlerId = next.handlerId
        unitOpen = CONTINUES_UNIT.has(next.message[0])
        next.resolve(size)
      }
    } finally {
      q.processing = false
      if (held() && q.lastHandlerId !== null) idle.start(q.lastHandlerId)
    }
  }
  return { stop: () => idle.stop() }
}

/** One timer for the connection holding PGlite while it sends nothing; restarted only after it did. */
function idleWatch (ms: number, expire: (owner: number) => void) {
  let armed: { owner: number, timer: NodeJS.Timeout } | null = null
  return {
    start (owner: number) {
      if (armed?.owner === owner) return
      if (armed) clearTimeout(armed.timer)
      armed = { owner, timer: setTimeout(() => { armed = null; expire(owner) }, ms).unref() }
    },
    stop () {
      if (armed) clearTimeout(armed.timer)
      armed = null
    }
  }
}

/** The FATAL ErrorResponse PostgreSQL sends when idle_in_transaction_session_timeout ends a connection. */
function idleTimeoutError (ms: number): Buffer {
  const fields = Buffer.concat([
    ['S', 'FATAL'], ['V', 'FATAL'], ['C', '25P03'],
    ['M', `terminating connection due to idle-in-transaction timeout (${ms / 1000} s on Stocktake's embedded database, which serves one transaction at a time)`]
  ].map(([code, value]) => Buffer.from(`${code}${value}\0`)).concat(Buffer.from([0])))
  const header = Buffer.alloc(5)
  header.write('E', 0)
  header.writeInt32BE(fields.length + 4, 1)
  return Buffer.concat([header, fields])
}
