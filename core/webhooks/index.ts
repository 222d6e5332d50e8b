import fp from 'fastify-plugin'
import { Webhooks } from './service.ts'
import type { DeliveryTuning } from './types.ts'

export { Webhooks, type DeliveryPage } from './service.ts'
export { DELIVER_JOB, PING_EVENT, ALL_EVENTS, DEFAULT_TUNING, type DeliveryTuning, type Subscription, type Delivery, type SubscriptionInput } from './types.ts'
export { SUBSCRIBABLE_EVENTS } from './validate.ts'
export { signatureHeaders, newSecret, SECRET_PREFIX } from './signing.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Webhook subscriptions and their signed, retried deliveries (fed by the outbox). */
    webhooks: Webhooks
  }
}

export interface WebhooksOptions {
  /** Test hook: shorter retries and timeouts. allowPrivate comes from STOCKTAKE_WEBHOOK_ALLOW_PRIVATE. */
  tuning?: Partial<DeliveryTuning>
}

export default fp<WebhooksOptions>(async (app, opts) => {
  const webhooks = new Webhooks(app.db, app.jobs, app.secrets, { allowPrivate: app.config.webhookAllowPrivate, ...opts.tuning })
  app.decorate('webhooks', webhooks)
  app.events.subscribeBatch(webhooks.listener())
  app.addHook('onClose', async () => { await webhooks.close() })
}, { name: 'webhooks', dependencies: ['db', 'jobs', 'secrets', 'events'] })
