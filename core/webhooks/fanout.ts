import type { Knex } from 'knex'
import type { BatchEventListener, StoredEvent } from '../events/index.ts'
import type { Jobs } from '../jobs/index.ts'
import { ALL_EVENTS, DELIVER_JOB, type DeliverJob } from './types.ts'

/** The record an event is about ("hardware:<id>"): deliveries with one key go out in order. */
export function orderingKey (event: Pick<StoredEvent, 'type' | 'payload'>): string | null {
  const id = event.payload.id
  return typeof id === 'string' || typeof id === 'number' ? `${event.type.split('.')[0]}:${id}` : null
}

/**
 * The outbox listener: for a whole dispatch batch, one INSERT … SELECT makes the deliveries of
 * every active subscription that takes each event (none twice: unique per subscription and event)
 * and their jobs go in one insert, in the same transaction. A batch handed again adds nothing.
 */
export function fanOut (db: Knex, jobs: Jobs): BatchEventListener {
  return async (events: StoredEvent[]) => {
    const workspaceId = events[0]?.workspace_id
    if (workspaceId === undefined) return
    const subscribed = await db('webhook_subscriptions').where({ workspace_id: workspaceId, active: true }).first('id')
    if (!subscribed) return
    const rows = events.map(e => ({ id: e.id, type: e.type, key: orderingKey(e), seq: e.sequence }))
    await db.transaction(async trx => {
      const { rows: created } = await trx.raw<{ rows: Array<{ id: string }> }>(`
        INSERT INTO webhook_deliveries (workspace_id, subscription_id, event_id, event_type, ordering_key, event_sequence)
        SELECT s.workspace_id, s.id, e.id, e.type, e.key, e.seq
        FROM jsonb_to_recordset(?::jsonb) AS e(id uuid, type text, key text, seq bigint)
        JOIN webhook_subscriptions s ON s.workspace_id = ? AND s.active AND s.events && ARRAY[?, e.type]
        ORDER BY e.seq, s.id
        ON CONFLICT (subscription_id, event_id) DO NOTHING
        RETURNING id`, [JSON.stringify(rows), workspaceId, ALL_EVENTS])
      await jobs.sendMany(DELIVER_JOB, created.map((r): DeliverJob => ({ workspaceId, deliveryId: r.id })), { trx })
    })
  }
}
