// Per-client rate limiting: a concurrency semaphore and a requests-per-minute token bucket.
import { abortReason, sleep, throwIfAborted } from './abort.ts'

class Semaphore {
  private active = 0
  private readonly waiting: Array<() => void> = []

  constructor (private readonly limit: number) {}

  async acquire (signal?: AbortSignal): Promise<() => void> {
    throwIfAborted(signal)
    if (this.active < this.limit) {
      this.active++
      return this.releaser()
    }
    await new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = (): void => {
        const i = this.waiting.indexOf(wake)
        if (i !== -1) this.waiting.splice(i, 1)
        reject(abortReason(signal as AbortSignal))
      }
      this.waiting.push(wake)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
    return this.releaser() // the slot was handed over by release(): active is unchanged
  }

  private releaser (): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      if (next !== undefined) next()
      else this.active--
    }
  }
}

/**
 * Token bucket refilled at requestsPerMinute/60 per second, holding one second's worth of burst
 * (at least 1). A request that finds the bucket empty reserves the next token and sleeps until it.
 */
class TokenBucket {
  private readonly perMs: number
  private readonly capacity: number
  private tokens: number
  private updatedAt = Date.now()

  constructor (requestsPerMinute: number) {
    this.perMs = requestsPerMinute / 60_000
    this.capacity = Math.max(1, Math.ceil(requestsPerMinute / 60))
    this.tokens = this.capacity
  }

  async take (signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal)
    const now = Date.now()
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.perMs)
    this.updatedAt = now
    this.tokens -= 1 // may go negative: a reservation queued behind earlier ones
    if (this.tokens >= 0) return
    try {
      await sleep(Math.ceil(-this.tokens / this.perMs), signal)
    } catch (err) {
      this.tokens += 1 // give the reservation back
      throw err
    }
  }
}

export interface RateLimit { requestsPerMinute?: number, concurrency?: number }

/** Admission to send one request: waits for a concurrency slot, then for a rate token. */
export interface Gate { enter: (signal?: AbortSignal) => Promise<() => void> }

export function createGate (limit: RateLimit = {}): Gate {
  const { requestsPerMinute, concurrency } = limit
  const semaphore = concurrency !== undefined && concurrency > 0 ? new Semaphore(concurrency) : null
  const bucket = requestsPerMinute !== undefined && requestsPerMinute > 0 ? new TokenBucket(requestsPerMinute) : null
  return {
    async enter (signal) {
      const release = semaphore === null ? () => {} : await semaphore.acquire(signal)
      try {
        await bucket?.take(signal)
      } catch (err) {
        release()
        throw err
      }
      return release
    }
  }
}
