import type { Knex } from 'knex'
import { isDataException } from '../../db/errors.ts'
import type { Sort } from './sort.ts'

/** Where a page starts: after the row with these sort values (as Postgres prints them) and id. */
export interface Cursor {
  segment: number
  keys: string[]
  id: string
}

/** A cursor that does not fit the column it is compared with: a link edited by hand. */
export class CursorError extends Error {
  readonly statusCode = 400
  constructor () { super('This page link is damaged or out of date. Start again from the first page.') }
}

export interface PageSource {
  db: Knex
  /** A fresh query of the rows, with the workspace, filters and columns applied; called once per segment read. */
  query: () => Knex.QueryBuilder
  sort: Sort
  /** The row id as the query names it (`h.id`): the last tie-breaker of every order. */
  idColumn: string
  /**
   * Rows as read, still with the pager's own columns (`__key0`…, `__id`): saves a copy of every
   * row for a caller that reads its columns by name (the API's lists).
   */
  keepPagerColumns?: boolean
}

export interface Page<Row> {
  rows: Row[]
  /** The opaque cursor of the next page, or null on the last one. */
  next: string | null
}

const MAX_CURSOR_LENGTH = 2000
const KEY = (i: number) => `__key${i}`

/** Opaque to the browser; bound to its sort, so a cursor of another order is ignored. */
export function encodeCursor (sort: Sort, cursor: Cursor): string {
  return Buffer.from(JSON.stringify([sort.key, sort.dir, cursor.segment, cursor.keys, cursor.id])).toString('base64url')
}

/** The cursor in a URL, or null when there is none, it is malformed, or it belongs to another sort. */
export function decodeCursor (raw: string, sort: Sort): Cursor | null {
  if (!raw || raw.length > MAX_CURSOR_LENGTH) return null
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
  } catch {
    return null
  }
  if (!Array.isArray(value) || value.length !== 5) return null
  const [key, dir, segment, keys, id] = value as unknown[]
  if (key !== sort.key || dir !== sort.dir) return null
  const segments = sort.option.segments
  if (!Number.isInteger(segment) || (segment as number) < 0 || (segment as number) >= segments.length) return null
  if (!Array.isArray(keys) || keys.length !== segments[segment as number].keys.length || !keys.every(k => typeof k === 'string')) return null
  if (typeof id !== 'string' || id === '') return null
  return { segment: segment as number, keys: keys as string[], id }
}

/**
 * One segment's rows after the cursor. Beside the row comparison that defines the order, the
 * query repeats it on the keys alone (`>=`): implied, but it lets Postgres start an index on the
 * keys at the cursor when the id is not in that index (or, for a join, not even in that table).
 */
async function readSegment (source: PageSource, index: number, after: Cursor | null, limit: number): Promise<Array<Record<string, unknown>>> {
  const { db, sort, idColumn } = source
  const { keys, where, unique } = sort.option.segments[index]
  const order = unique ? keys : [...keys, idColumn]
  const op = sort.dir === 'asc' ? '>' : '<'
  const list = (n: number) => Array(n).fill('?').join(', ')
  const query = source.query()
  if (where) query.whereRaw(`(${where})`)
  if (after) {
    query.whereRaw(`(${order.join(', ')}) ${op} (${list(order.length)})`, unique ? after.keys : [...after.keys, after.id])
    if (keys.length > 0 && !unique) query.whereRaw(`(${keys.join(', ')}) ${op}= (${list(keys.length)})`, after.keys)
  }
  keys.forEach((key, i) => query.select(db.raw(`(${key})::text AS ??`, [KEY(i)])))
  query.select(db.raw(`(${idColumn})::text AS "__id"`))
  query.orderByRaw(order.map(column => `${column} ${sort.dir}`).join(', ')).limit(limit)
  try {
    return await query
  } catch (err) {
    // 22xxx: a cursor value the column's type cannot read (invalid uuid, timestamp…).
    if (after && isDataException(err)) throw new CursorError()
    throw err
  }
}

async function readPage<Row> (source: PageSource, cursor: Cursor | null, limit: number): Promise<{ rows: Row[], next: Cursor | null }> {
  const wanted = limit + 1
  const found: Array<{ row: Record<string, unknown>, segment: number }> = []
  const start = cursor?.segment ?? 0
  for (let segment = start; segment < source.sort.option.segments.length && found.length < wanted; segment++) {
    const rows = await readSegment(source, segment, segment === start ? cursor : null, wanted - found.length)
    found.push(...rows.map(row => ({ row, segment })))
  }
  const page = found.slice(0, limit)
  const last = page.at(-1)
  const next = found.length > limit && last ? cursorOf(last.row, last.segment, source.sort) : null
  return { rows: page.map(({ row }) => (source.keepPagerColumns ? row : strip(row)) as Row), next }
}

function cursorOf (row: Record<string, unknown>, segment: number, sort: Sort): Cursor {
  const keys = sort.option.segments[segment].keys.map((key, i) => {
    const value = row[KEY(i)]
    if (typeof value !== 'string') throw new Error(`sort "${sort.key}": key ${key} is null in segment ${segment}; sort keys must never be null`)
    return value
  })
  return { segment, keys, id: String(row.__id) }
}

/** The row without the columns the pager added (`__key0`…, `__id`). */
function strip (row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(row)) if (!name.startsWith('__')) out[name] = value
  return out
}

/**
 * One page in the sort's order, starting after `cursor`: at most `limit` rows and the cursor of
 * the next page. Reads `limit + 1` rows (moving on to the next segment when one runs out) to know
 * whether there is a next page, and never uses OFFSET, so page 2,000 costs what page 1 does.
 */
export async function keysetPage<Row> (source: PageSource, cursor: Cursor | null, limit: number): Promise<Page<Row>> {
  const page = await readPage<Row>(source, cursor, limit)
  return { rows: page.rows, next: page.next ? encodeCursor(source.sort, page.next) : null }
}

/** Every row in order, `size` at a time (exports): memory holds one batch, whatever the table's size. */
export async function * keysetBatches<Row> (source: PageSource, size = 500): AsyncGenerator<Row[]> {
  let cursor: Cursor | null = null
  do {
    const page: { rows: Row[], next: Cursor | null } = await readPage<Row>(source, cursor, size)
    if (page.rows.length > 0) yield page.rows
    cursor = page.next
  } while (cursor)
}
