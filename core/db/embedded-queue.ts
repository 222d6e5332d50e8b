import type { PGlite } from '@electric-sql/pglite'
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket'

// pglite-socket 0.2.17 queues wire-protocol messages one by one across connections. PGlite is a
// single session, so a Parse/Bind/Execute of one connection could interleave with another's (the
// unnamed statement overwritten; after an error PostgreSQL then skips everything up to a Sync,
// leaving the other connection waiting forever), and a throwing message left the queue stuck. This
// replaces the queue's scheduler: a connection keeps PGlite from its first extended-protocol
// message to its Sync (and, as before, for a whole transaction), and a failure never wedges it.
// Checked against the pinned version by test/embedded-queue.test.ts.

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

// Parse, Bind, Describe, Execute, Close and Flush continue a unit; Sync, Query and the rest end it.
const CONTINUES_UNIT = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map(c => c.charCodeAt(0)))

export function keepProtocolUnitsTogether (server: PGLiteSocketServer): void {
  const q = (server as unknown as { queryQueue: QueueInternals }).queryQueue
  if (!q || !Array.isArray(q.queue) || typeof q.processQueue !== 'function') {
    throw new Error('@electric-sql/pglite-socket changed its queue; review core/db/embedded-queue.ts')
  }
  let unitOpen = false
  const clear = q.clearQueueForHandler.bind(q)
  q.clearQueueForHandler = (handlerId: number) => {
    if (q.lastHandlerId === handlerId) unitOpen = false
    clear(handlerId)
  }
  q.processQueue = async function processQueue () {
    if (q.processing) return
    q.processing = true
    try {
      while (q.queue.length > 0) {
        const owner = (unitOpen || q.db.isInTransaction()) ? q.lastHandlerId : null
        const index = owner === null ? 0 : q.queue.findIndex(m => m.handlerId === owner)
        if (index === -1) break
        const [next] = q.queue.splice(index, 1)
        let size = 0
        try {
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
    }
  }
}
