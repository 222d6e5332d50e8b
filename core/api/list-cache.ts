import type { Knex } from 'knex'

// Repeated reads of one list page (an integration polling the first page) are answered from
// memory, and never stale: each request asks Postgres, in one small indexed query, whether a
// transaction that wrote the table has committed since the page was read (migration 011 notes
// every writing transaction). The answer comes with the current snapshot; a page read after it
// is kept labelled with it. A labelled page is current while every noted write is visible in
// its label: a write committed later is not, and one still running cannot be seen by the check
// yet, exactly as a fresh read would not see it.

/** The tables migration 011 watches; a list of any other table cannot be cached. */
export const WATCHED_TABLES = new Set(['hardware'])

const CHECK = `
  SELECT pg_current_snapshot()::text AS snapshot,
    EXISTS (SELECT 1 FROM table_writes
      WHERE table_name = ? AND xid >= pg_snapshot_xmin(?::pg_snapshot) AND NOT pg_visible_in_snapshot(xid, ?::pg_snapshot)) AS changed`

export interface ListCacheOptions {
  /** What the kept pages may hold in all, in characters (default 32 MB); 0 keeps none and checks nothing. */
  maxBytes?: number
  /** How long a page is kept (default 5 minutes); notes of writes older than twice this are pruned. */
  ttlMs?: number
  now?: () => number
}

interface Entry { body: string, snapshot: string, at: number }

export class ListCache {
  readonly stats = { hits: 0, misses: 0 }
  private readonly entries = new Map<string, Entry>()
  private bytes = 0
  private readonly maxBytes: number
  private readonly ttlMs: number
  private readonly now: () => number
  /** Oldest-running transaction ids seen by prune(), with when. */
  private readonly horizons: Array<{ at: number, xmin: string }> = []

  constructor (private readonly db: Knex, options: ListCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024
    this.ttlMs = options.ttlMs ?? 5 * 60_000
    this.now = options.now ?? Date.now
  }

  /** The page of `table` known by `key` (which must name the workspace and every parameter): kept, or `read` now. */
  async page (table: string, key: string, read: () => Promise<string>): Promise<string> {
    if (!WATCHED_TABLES.has(table)) throw new Error(`ListCache: no trigger notes writes to ${table} (migration 011)`)
    if (this.maxBytes === 0) return await read()
    const fullKey = `${table}\u0000${key}`
    const started = this.now()
    let entry = this.entries.get(fullKey)
    if (entry && started - entry.at > this.ttlMs) entry = this.drop(fullKey)
    const label = entry?.snapshot ?? null
    const { rows: [state] } = await this.db.raw<{ rows: Array<{ snapshot: string, changed: boolean }> }>(CHECK, [table, label, label])
    if (entry && !state.changed) {
      this.stats.hits++
      // Most recently used last: the first entry is the one evicted.
      this.entries.delete(fullKey)
      this.entries.set(fullKey, entry)
      return entry.body
    }
    this.stats.misses++
    const body = await read()
    this.drop(fullKey)
    this.entries.set(fullKey, { body, snapshot: state.snapshot, at: started })
    this.bytes += body.length
    for (const [oldest] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.drop(oldest)
    }
    return body
  }

  /**
   * Deletes notes no kept page can need, in any process: a transaction older than the oldest
   * running one at a moment more than twice the TTL ago ended before any kept page was read, so
   * every kept label sees it. Called every minute.
   */
  async prune (): Promise<number> {
    const { rows: [{ xmin }] } = await this.db.raw<{ rows: Array<{ xmin: string }> }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')
    const now = this.now()
    this.horizons.push({ at: now, xmin })
    const expired = this.horizons.filter(h => now - h.at >= 2 * this.ttlMs)
    if (expired.length === 0) return 0
    this.horizons.splice(0, expired.length)
    return await this.db('table_writes').where('xid', '<', this.db.raw('?::xid8', [expired.at(-1)!.xmin])).delete()
  }

  private drop (key: string): undefined {
    const entry = this.entries.get(key)
    if (entry) {
      this.bytes -= entry.body.length
      this.entries.delete(key)
    }
    return undefined
  }
}
