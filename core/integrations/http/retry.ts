// When to retry and how long to wait: Retry-After (seconds or HTTP date) or capped exponential
// backoff with jitter; a wait longer than the cap becomes a RetryLaterError.
import { RetryLaterError } from '../http-types.ts'

export const BACKOFF_BASE_MS = 250

/** Network errors and timeouts are always retryable; of the statuses, 429 and 5xx. */
export function isRetryableStatus (status: number): boolean {
  return status === 429 || status >= 500
}

/** The wait a Retry-After header asks for in ms, or null when absent or unreadable. */
export function parseRetryAfter (value: string | undefined, now = Date.now()): number | null {
  if (value === undefined) return null
  const text = value.trim()
  if (text === '') return null
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000)
  const date = Date.parse(text)
  if (Number.isNaN(date)) return null
  return Math.max(0, date - now)
}

/** Exponential backoff with "equal jitter": half the step fixed, half random; never above capMs. */
export function backoffMs (retryIndex: number, capMs: number): number {
  const step = Math.min(capMs, BACKOFF_BASE_MS * 2 ** retryIndex)
  return Math.round(step / 2 + Math.random() * step / 2)
}

/**
 * How long to sleep before retry number `retryIndex` (0-based). Throws RetryLaterError when the
 * vendor asks for longer than maxWaitMs, so a worker is never parked on a long wait.
 */
export function retryDelayMs (retryIndex: number, retryAfter: string | undefined, maxWaitMs: number): number {
  const now = Date.now()
  const asked = parseRetryAfter(retryAfter, now)
  if (asked === null) return backoffMs(retryIndex, maxWaitMs)
  if (asked > maxWaitMs) throw new RetryLaterError(new Date(now + asked))
  return asked
}
