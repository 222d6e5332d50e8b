import { unstorableField } from '../boundary/unstorable.ts'
import { EVENT_TYPES } from '../events/index.ts'
import type { FieldError } from '../register/index.ts'
import { ALL_EVENTS, type SubscriptionInput } from './types.ts'

export const SUBSCRIBABLE_EVENTS: readonly string[] = [ALL_EVENTS, ...EVENT_TYPES]

/** Field problems of a subscription's url, events and active flag (only those given when `partial`). */
export function subscriptionErrors (input: SubscriptionInput, partial: boolean): FieldError[] {
  const errors: FieldError[] = []
  if (input.url !== undefined || !partial) {
    let url: URL | null = null
    try { url = typeof input.url === 'string' && input.url.length <= 2000 ? new URL(input.url) : null } catch {}
    const unstorable = unstorableField('url', input.url)
    if (unstorable) {
      errors.push(unstorable)
    } else if (!url || !['http:', 'https:'].includes(url.protocol) || url.username || url.password) {
      errors.push({ field: 'url', rule: 'format', message: 'must be an http or https URL without credentials, at most 2000 characters' })
    }
  }
  if (input.events !== undefined || !partial) {
    if (!Array.isArray(input.events) || input.events.length === 0 || input.events.some(e => typeof e !== 'string' || !SUBSCRIBABLE_EVENTS.includes(e))) {
      errors.push({ field: 'events', rule: 'enum', message: `must list "*" or among ${EVENT_TYPES.join(', ')}` })
    }
  }
  if (input.active !== undefined && typeof input.active !== 'boolean') errors.push({ field: 'active', rule: 'type', message: 'must be true or false' })
  return errors
}
