import { randomBytes } from 'node:crypto'
import type pg from 'pg'

/** Statements each pooled connection keeps prepared (STOCKTAKE_DB_STATEMENT_CACHE). */
export const DEFAULT_STATEMENT_CACHE = 200

/**
 * Bulk statements (multi-row inserts, IN lists) are not prepared: their text varies with the batch,
 * and a generic plan of `x IN ($1, …, $1000)` cannot hash the list and may have been chosen while
 * the table was nearly empty (a first import of 100,000 devices took 28 s instead of 20 that way).
 */
const MAX_PARAMETERS = 32
const MAX_TEXT = 8192
// `SELECT * FROM t` and `RETURNING *` are expanded to t's columns when prepared, and a later ALTER
// TABLE would make the statement fail ("cached plan must not change result type"): not prepared.
// `count(*)`, and `SELECT * FROM w` of a CTE the statement defines (its columns are its own), are fine.
const STAR = /(?<!\()\*/g
const CTE_STAR = /select \* from "?(\w+)"?/gi

function expandsTableColumns (text: string): boolean {
  const stars = text.match(STAR)?.length ?? 0
  if (stars === 0) return false
  const ownCtes = [...text.matchAll(CTE_STAR)].filter(([, name]) => new RegExp(`(with|,)\\s+"?${name}"?\\s+as\\s*\\(`, 'i').test(text))
  return ownCtes.length < stars
}

const isPreparable = (text: string) => text.length <= MAX_TEXT && !expandsTableColumns(text)

interface QueryConfig { text?: unknown, values?: unknown, name?: unknown, rows?: unknown, submit?: unknown }

/** A plain parameterised query (not BEGIN or COMMIT, not bulk, not already named, not a cursor or a COPY). */
function parameterisedText (config: unknown): string | undefined {
  if (config === null || typeof config !== 'object') return undefined
  const { text, values, name, rows, submit } = config as QueryConfig
  const plain = typeof text === 'string' && Array.isArray(values) && values.length > 0 && values.length <= MAX_PARAMETERS &&
    name === undefined && rows === undefined && submit === undefined
  return plain ? text : undefined
}

/**
 * Makes a pg connection prepare each parameterised statement it runs again and execute it by name
 * from then on: the server parses and plans it once per connection instead of on every call, which
 * is much of what a short query costs it. At most `size` statements a connection, the least
 * recently used deallocated first. Names are never reused, so a DEALLOCATE that failed (in an aborted
 * transaction) can only leave an unused statement behind, never a clash. Statements without
 * parameters (BEGIN, COMMIT, SET LOCAL) keep the simple protocol. Off on the embedded database
 * (see statementCacheFor).
 */
export function cacheStatements (client: pg.Client, size: number): void {
  if (size <= 0) return
  const query = client.query.bind(client) as (config: unknown, values?: unknown, callback?: unknown) => unknown
  const names = new Map<string, string>()
  const seen = new Set<string>()
  // Unique beyond this connection too: the embedded database's connections share one session.
  const prefix = `stocktake_${randomBytes(4).toString('hex')}_`
  let prepared = 0

  const evictOldest = () => {
    const [text, name] = names.entries().next().value as [string, string]
    names.delete(text)
    forget(client, name)
    const deallocated = query(`DEALLOCATE "${name}"`) as Promise<unknown>
    deallocated.catch(() => {}) // fails only in an aborted transaction; the name is never used again
  }

  const nameFor = (text: string): string | undefined => {
    const known = names.get(text)
    if (known !== undefined) {
      names.delete(text)
      names.set(text, known)
      return known
    }
    if (!isPreparable(text)) return undefined
    // A one-off (a batch insert of some number of rows, a list of some length) runs unnamed: only a
    // statement seen before is given a slot.
    if (!seen.has(text)) {
      if (seen.size >= size * 4) seen.clear()
      seen.add(text)
      return undefined
    }
    seen.delete(text)
    if (names.size >= size) evictOldest()
    const name = `${prefix}${++prepared}`
    names.set(text, name)
    return name
  }

  client.query = ((config: unknown, values?: unknown, callback?: unknown) => {
    const text = parameterisedText(config)
    const name = text === undefined ? undefined : nameFor(text)
    return query(name === undefined ? config : { ...config as object, name }, values, callback)
  }) as typeof client.query
}

/** pg remembers each statement it prepared on the connection; a deallocated one is dropped there too. */
function forget (client: pg.Client, name: string): void {
  const connection = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection
  if (connection?.parsedStatements) delete connection.parsedStatements[name]
}

/**
 * The embedded database runs every connection in one session, which keeps a statement after the
 * connection that prepared it has gone: there, no statement is kept prepared.
 */
export const statementCacheFor = (mode: 'server' | 'embedded' | 'shared', configured: number): number => mode === 'server' ? configured : 0
