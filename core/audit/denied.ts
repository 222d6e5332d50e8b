// Denied attempts go to the audit log, as its page promises ("every change, sign-in and denied
// attempt"): a page or action the user's role may not use, an API request whose token lacks an
// ability the route needs (both 403). Recorded where permissions are checked (requireUser for pages,
// the API's auth hook), never per route. A client retrying a refused request in a loop must not
// flood the log: per process, one entry per workspace, actor and route a minute; the attempts held
// back meanwhile are counted in the next entry (`repeated`).
import type { Knex } from 'knex'
import { recordAudit } from './log.ts'
import type { Actor } from './types.ts'

export interface DeniedAttempt {
  method: string
  /** The route's pattern ("/people/:id"): what the throttle counts by. */
  route: string
  /** The address asked for, without its query string. */
  path: string
  reason: 'role' | 'ability'
  /** The roles or abilities it needed. */
  needed: readonly string[]
}

export const DENIED_WINDOW_MS = 60_000
const MAX_TRACKED = 10_000

export class DeniedAttempts {
  private readonly recent = new Map<string, { until: number, held: number }>()

  constructor (private readonly db: Knex, private readonly windowMs = DENIED_WINDOW_MS) {}

  /** Records the attempt unless one like it was recorded within the window (then it is only counted). */
  async record (workspaceId: string, actor: Actor, attempt: DeniedAttempt): Promise<void> {
    const key = [workspaceId, actor.type, actor.id ?? actor.label, attempt.method, attempt.route].join('\0')
    const now = Date.now()
    const seen = this.recent.get(key)
    if (seen !== undefined && seen.until > now) {
      seen.held++
      return
    }
    this.recent.delete(key)
    if (this.recent.size >= MAX_TRACKED) this.forgetOldest(now)
    this.recent.set(key, { until: now + this.windowMs, held: 0 })
    await recordAudit(this.db, workspaceId, actor, {
      action: 'access.denied',
      outcome: 'denied',
      target: { type: 'route', id: `${attempt.method} ${attempt.route}`, label: attempt.path.slice(0, 500) },
      details: {
        method: attempt.method,
        path: attempt.path.slice(0, 500),
        reason: attempt.reason,
        needed: attempt.needed,
        ...(seen !== undefined && seen.held > 0 ? { repeated: seen.held } : {})
      }
    })
  }

  /** Drops expired keys; if none had expired, the oldest tenth (a map keeps insertion order). */
  private forgetOldest (now: number): void {
    for (const [key, value] of this.recent) if (value.until <= now) this.recent.delete(key)
    if (this.recent.size < MAX_TRACKED) return
    let drop = Math.ceil(MAX_TRACKED / 10)
    for (const key of this.recent.keys()) {
      if (drop-- <= 0) break
      this.recent.delete(key)
    }
  }
}
