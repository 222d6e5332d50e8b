export const DELIVER_JOB = 'webhooks.deliver'
export const PING_EVENT = 'test.ping'
export const ALL_EVENTS = '*'

export interface DeliveryTuning {
  /** Send to private, loopback and link-local addresses (STOCKTAKE_WEBHOOK_ALLOW_PRIVATE=1). */
  allowPrivate: boolean
  timeoutMs: number
  /** The wait before the first retry; each next one doubles it. */
  retryBaseMs: number
  /** Attempts in all, the first included, before a delivery is marked failed. */
  maxAttempts: number
  /** A subscription failing without a success for this long is disabled. */
  disableAfterMs: number
  /** Deliveries one worker sends at once. */
  concurrency: number
}

// 45 s doubling over 11 retries: the last attempt is about 25.6 hours after the first.
export const DEFAULT_TUNING: DeliveryTuning = {
  allowPrivate: false, timeoutMs: 10_000, retryBaseMs: 45_000, maxAttempts: 12, disableAfterMs: 3 * 24 * 3600_000, concurrency: 16
}

export interface Subscription {
  id: string
  workspace_id: string
  url: string
  events: string[]
  active: boolean
  disabled_reason: string | null
  failing_since: Date | null
  created_at: Date
  updated_at: Date
}

export interface Delivery {
  id: string
  subscription_id: string
  event_id: string
  event_type: string
  status: 'pending' | 'succeeded' | 'failed'
  attempts: number
  last_status_code: number | null
  last_error: string | null
  duration_ms: number | null
  response_excerpt: string | null
  next_attempt_at: Date | null
  created_at: Date
  delivered_at: Date | null
}

export interface SubscriptionInput { url?: unknown, events?: unknown, active?: unknown }

export interface DeliverJob { workspaceId: string, deliveryId: string }

export const SUBSCRIPTION_COLUMNS = ['id', 'workspace_id', 'url', 'events', 'active', 'disabled_reason', 'failing_since', 'created_at', 'updated_at']
export const DELIVERY_COLUMNS = ['id', 'subscription_id', 'event_id', 'event_type', 'status', 'attempts', 'last_status_code', 'last_error',
  'duration_ms', 'response_excerpt', 'next_attempt_at', 'created_at', 'delivered_at']
