import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import type { Dispatcher } from 'undici'
import { recordAudit, type Actor } from '../audit/index.ts'
import type { BatchEventListener } from '../events/index.ts'
import type { Jobs } from '../jobs/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { diff, isEmpty } from '../register/changes.ts'
import { NotFoundError, ValidationError } from '../register/index.ts'
import { Agent } from 'undici'
import { guardedAgent, refusedDestination } from '../net/address-guard.ts'
import { Deliverer, refusedWebhookMessage, releaseClaims } from './delivery.ts'
import { fanOut } from './fanout.ts'
import { newSecret } from './signing.ts'
import {
  DEFAULT_TUNING, DELIVER_JOB, DELIVERY_COLUMNS, PING_EVENT, SUBSCRIPTION_COLUMNS,
  type DeliverJob, type Delivery, type DeliveryTuning, type Subscription, type SubscriptionInput
} from './types.ts'
import { subscriptionErrors } from './validate.ts'

export interface DeliveryPage { limit?: number, status?: Delivery['status'], cursor?: string }

// A log cursor: the last row's exact created_at (as PostgreSQL prints it, microseconds kept) and id.
const PG_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?$/
const encodeDeliveryCursor = (at: string, id: string) => Buffer.from(JSON.stringify([at, id])).toString('base64url')
function decodeDeliveryCursor (cursor: string): { at: string, id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
    if (typeof at === 'string' && PG_TIMESTAMP.test(at) && typeof id === 'string' && UUID.test(id)) return { at, id }
  } catch {}
  throw new ValidationError([{ field: 'cursor', rule: 'cursor', message: 'is damaged; start again without it' }])
}

// Deliveries a worker claims and records together (sent `concurrency` at a time).
const BATCH = 100

const target = (s: Subscription) => ({ type: 'webhook', id: s.id, label: s.url })

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Webhook subscriptions of a workspace and their deliveries: the outbox fans each event out to
 * one delivery row per matching subscription, and a job per delivery POSTs the signed payload,
 * retrying with exponential backoff until it succeeds or gives up.
 */
export class Webhooks {
  readonly tuning: DeliveryTuning
  private readonly agent: Dispatcher
  private readonly deliverer: Deliverer

  constructor (private readonly db: Knex, private readonly jobs: Jobs, private readonly secrets: SecretBox, tuning: Partial<DeliveryTuning> = {}) {
    this.tuning = { ...DEFAULT_TUNING, ...tuning }
    // Unless the operator allows private receivers, the address connected to is checked (DNS can change after creation).
    this.agent = this.tuning.allowPrivate ? new Agent({ keepAliveTimeout: 10_000 }) : guardedAgent({ keepAliveTimeout: 10_000 })
    this.deliverer = new Deliverer(db, jobs, secrets, this.agent, this.tuning)
    jobs.define<DeliverJob>({
      name: DELIVER_JOB,
      batchSize: BATCH,
      handler: async job => { await this.deliverer.deliver([job]) },
      batchHandler: async batch => { await this.deliverer.deliver(batch) }
    })
    jobs.onRecover(releaseClaims)
  }

  /** The outbox listener that turns events into deliveries. */
  listener (): BatchEventListener {
    return fanOut(this.db, this.jobs)
  }

  async close (): Promise<void> {
    await this.agent.close()
  }

  // Subscriptions

  async list (workspaceId: string): Promise<Subscription[]> {
    return await this.db('webhook_subscriptions').where({ workspace_id: workspaceId }).orderBy([{ column: 'created_at', order: 'desc' }, 'id']).select(SUBSCRIPTION_COLUMNS)
  }

  async get (workspaceId: string, id: string): Promise<Subscription> {
    const found = UUID.test(id) ? await this.db('webhook_subscriptions').where({ workspace_id: workspaceId, id }).first(SUBSCRIPTION_COLUMNS) : undefined
    if (!found) throw new NotFoundError('Webhook subscription', id)
    return found
  }

  /** A new subscription and its secret, which is returned only here (kept encrypted). */
  async create (workspaceId: string, actor: Actor, input: SubscriptionInput): Promise<{ subscription: Subscription, secret: string }> {
    const errors = subscriptionErrors(input, false)
    if (errors.length) throw new ValidationError(errors)
    await this.refuseDestination(input.url as string)
    const secret = newSecret()
    const ciphertext = await this.secrets.encrypt(workspaceId, secret)
    const subscription = await this.db.transaction(async trx => {
      const [created] = await trx('webhook_subscriptions').insert({
        workspace_id: workspaceId,
        url: input.url,
        events: [...new Set(input.events as string[])],
        active: input.active ?? true,
        secret_ciphertext: ciphertext,
        created_by: actor.type === 'user' ? actor.id : null
      }).returning(SUBSCRIPTION_COLUMNS)
      await recordAudit(trx, workspaceId, actor, { action: 'webhook.created', target: target(created), details: { events: created.events, active: created.active } })
      return created as Subscription
    })
    return { subscription, secret }
  }

  /** Changes url, events or active; turning a subscription on again clears why it was off. */
  async update (workspaceId: string, actor: Actor, id: string, input: SubscriptionInput): Promise<Subscription> {
    const errors = subscriptionErrors(input, true)
    if (errors.length) throw new ValidationError(errors)
    if (input.url !== undefined) await this.refuseDestination(input.url as string)
    return await this.db.transaction(async trx => {
      const before = UUID.test(id) ? await trx('webhook_subscriptions').where({ workspace_id: workspaceId, id }).forUpdate().first(SUBSCRIPTION_COLUMNS) : undefined
      if (!before) throw new NotFoundError('Webhook subscription', id)
      const next: Record<string, unknown> = {}
      if (input.url !== undefined) next.url = input.url
      if (input.events !== undefined) next.events = [...new Set(input.events as string[])]
      if (input.active !== undefined) Object.assign(next, { active: input.active, disabled_reason: null, failing_since: null })
      const changes = diff(before, next)
      if (isEmpty(changes)) return before as Subscription
      const [after] = await trx('webhook_subscriptions').where({ workspace_id: workspaceId, id }).update({ ...next, updated_at: trx.fn.now() }).returning(SUBSCRIPTION_COLUMNS)
      await recordAudit(trx, workspaceId, actor, { action: 'webhook.updated', target: target(after), changes })
      return after as Subscription
    })
  }

  /** A URL whose host is, or resolves to, a refused address is refused at once rather than retried for a day. */
  private async refuseDestination (url: string): Promise<void> {
    if (this.tuning.allowPrivate) return
    const refused = await refusedDestination(new URL(url))
    if (refused) throw new ValidationError([{ field: 'url', rule: 'address', message: refusedWebhookMessage(refused) }])
  }

  async remove (workspaceId: string, actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async trx => {
      const [removed] = UUID.test(id) ? await trx('webhook_subscriptions').where({ workspace_id: workspaceId, id }).delete().returning(SUBSCRIPTION_COLUMNS) : []
      if (!removed) throw new NotFoundError('Webhook subscription', id)
      await recordAudit(trx, workspaceId, actor, { action: 'webhook.deleted', target: target(removed) })
    })
  }

  // Deliveries

  /** A page of a subscription's delivery log, newest first; `next` continues it. */
  async deliveries (workspaceId: string, subscriptionId: string, page: DeliveryPage = {}): Promise<{ data: Delivery[], next: string | null }> {
    await this.get(workspaceId, subscriptionId)
    const limit = page.limit ?? 50
    const after = page.cursor === undefined ? null : decodeDeliveryCursor(page.cursor)
    const rows: Array<Delivery & { cursor_at: string }> = await this.db('webhook_deliveries').where({ workspace_id: workspaceId, subscription_id: subscriptionId })
      .modify(q => {
        if (page.status) q.where('status', page.status)
        if (after) q.whereRaw('(created_at, id) < (?::timestamptz, ?::uuid)', [after.at, after.id])
      })
      .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
      .limit(limit + 1).select([...DELIVERY_COLUMNS, this.db.raw('created_at::text AS cursor_at')])
    const data = rows.slice(0, limit).map(({ cursor_at: _, ...delivery }) => delivery as Delivery)
    const last = rows[limit - 1]
    return { data, next: rows.length > limit ? encodeDeliveryCursor(last.cursor_at, last.id) : null }
  }

  async delivery (workspaceId: string, subscriptionId: string, deliveryId: string): Promise<Delivery> {
    const found = UUID.test(deliveryId) && UUID.test(subscriptionId)
      ? await this.db('webhook_deliveries').where({ workspace_id: workspaceId, subscription_id: subscriptionId, id: deliveryId }).first(DELIVERY_COLUMNS)
      : undefined
    if (!found) throw new NotFoundError('Webhook delivery', deliveryId)
    return found
  }

  /** Fires a synthetic test.ping to one subscription (active or not: it is how one checks a fix). */
  async ping (workspaceId: string, actor: Actor, subscriptionId: string): Promise<Delivery> {
    const subscription = await this.get(workspaceId, subscriptionId)
    return await this.db.transaction(async trx => {
      const [delivery] = await trx('webhook_deliveries').insert({
        workspace_id: workspaceId,
        subscription_id: subscriptionId,
        event_id: randomUUID(),
        event_type: PING_EVENT,
        payload: JSON.stringify({ subscription_id: subscriptionId, message: 'A test delivery from Stocktake.' })
      }).returning(DELIVERY_COLUMNS)
      await this.jobs.sendMany(DELIVER_JOB, [{ workspaceId, deliveryId: delivery.id }], { trx })
      await recordAudit(trx, workspaceId, actor, { action: 'webhook.tested', target: target(subscription), details: { delivery_id: delivery.id } })
      return delivery
    })
  }

  /** Sends a delivery again, same webhook-id, as a fresh series of attempts (after any earlier one of its record). */
  async redeliver (workspaceId: string, actor: Actor, subscriptionId: string, deliveryId: string): Promise<Delivery> {
    const subscription = await this.get(workspaceId, subscriptionId)
    const original = await this.delivery(workspaceId, subscriptionId, deliveryId)
    return await this.db.transaction(async trx => {
      const [delivery] = await trx('webhook_deliveries').where({ workspace_id: workspaceId, id: deliveryId })
        .update({ status: 'pending', attempts: 0, next_attempt_at: null, delivered_at: null, claimed_until: null, claimed_by: null }).returning(DELIVERY_COLUMNS)
      await this.jobs.sendMany(DELIVER_JOB, [{ workspaceId, deliveryId }], { trx })
      await recordAudit(trx, workspaceId, actor, {
        action: 'webhook.redelivered', target: target(subscription), details: { delivery_id: deliveryId, event_id: original.event_id, event_type: original.event_type }
      })
      return delivery
    })
  }
}
