import type { Knex } from 'knex'
import type { Jobs } from '../jobs/index.ts'
import type { BatchEventListener, EventListener, NewEvent, StoredEvent } from './types.ts'

export const DISPATCH_JOB = 'events.dispatch'
const DISPATCH_BATCH = 500

/**
 * The transactional outbox: events are inserted with the change that caused them, and a
 * per-workspace dispatch job (queued in the same transaction) hands them, in order, to the
 * in-process listeners (webhooks, notifications, ticketing): batch listeners first, then the
 * per-event ones.
 */
export class Outbox {
  private readonly listeners: EventListener[] = []
  private readonly batchListeners: BatchEventListener[] = []

  constructor (private readonly db: Knex, private readonly jobs: Jobs) {
    jobs.define<{ workspaceId: string }>({
      name: DISPATCH_JOB,
      policy: 'stately',
      handler: async ({ workspaceId }) => { await this.dispatch(workspaceId) }
    })
  }

  async emit (trx: Knex.Transaction, workspaceId: string, events: NewEvent | NewEvent[]): Promise<void> {
    const list = Array.isArray(events) ? events : [events]
    if (list.length === 0) return
    await trx('events').insert(list.map(e => ({ workspace_id: workspaceId, type: e.type, payload: JSON.stringify(e.payload) })))
    await this.wake(trx, workspaceId)
  }

  /** Queues the workspace's dispatch in `trx`: for events a set-based writer inserted in SQL itself. */
  async wake (trx: Knex.Transaction, workspaceId: string): Promise<void> {
    await this.jobs.send(DISPATCH_JOB, { workspaceId }, { trx, singletonKey: workspaceId })
  }

  subscribe (listener: EventListener): void {
    this.listeners.push(listener)
  }

  /** A listener that takes each batch whole (set-based work such as webhook fan-out). */
  subscribeBatch (listener: BatchEventListener): void {
    this.batchListeners.push(listener)
  }

  /** Hands pending events to every listener in sequence order; returns how many were dispatched. */
  async dispatch (workspaceId: string): Promise<number> {
    let total = 0
    for (;;) {
      const batch: StoredEvent[] = await this.db('events')
        .where({ workspace_id: workspaceId }).whereNull('dispatched_at')
        .orderBy('sequence').limit(DISPATCH_BATCH)
      if (batch.length === 0) return total
      for (const listener of this.batchListeners) await listener(batch)
      let handed = 0
      try {
        for (const event of batch) {
          for (const listener of this.listeners) await listener(event)
          handed++
        }
      } finally {
        // On a listener failure the events before it stay dispatched; the job's retry resumes at it.
        await this.markDispatched(batch.slice(0, handed))
      }
      total += handed
    }
  }

  private async markDispatched (events: StoredEvent[]): Promise<void> {
    if (events.length === 0) return
    await this.db('events').whereIn('id', events.map(e => e.id)).update({ dispatched_at: this.db.fn.now() })
  }
}
