import type { FastifyReply } from 'fastify'
import type { Knex } from 'knex'
import { decodeCursor, keysetPage, parseSort, type PageSource, type SortOptions } from '../admin/list/index.ts'
import { badRequest } from './problem.ts'

export const MAX_LIMIT = 200
export const DEFAULT_LIMIT = 50

export interface ApiListSpec<S extends string> {
  sorts: SortOptions<S>
  defaultSort: S
}

export interface ListParams {
  sort?: string
  dir?: 'asc' | 'desc'
  limit: number
  cursor?: string
}

/** The querystring of a list: its filters, then sort, dir, limit (≤ 200) and cursor. */
export function listQuery<S extends string> (spec: ApiListSpec<S>, filters: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      ...filters,
      sort: { type: 'string', enum: Object.keys(spec.sorts), default: spec.defaultSort, description: 'The order of the list.' },
      dir: { type: 'string', enum: ['asc', 'desc'], description: 'The direction (the sort\'s own by default).' },
      limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
      cursor: { type: 'string', minLength: 1, maxLength: 2000, description: 'The `next` of the previous page.' }
    },
    additionalProperties: false
  }
}

/**
 * One page by keyset (core/admin/list, the pages' pager): the cursor is opaque and bound to its
 * sort, so a cursor of another sort, or a damaged one, is a 400 naming `cursor`.
 */
export async function apiPage<Row, S extends string> (spec: ApiListSpec<S>, params: ListParams, source: Omit<PageSource, 'sort'>): Promise<{ data: Row[], next: string | null }> {
  const sort = parseSort({ ...params }, spec.sorts, spec.defaultSort)
  const cursor = params.cursor ? decodeCursor(params.cursor, sort) : null
  if (params.cursor && !cursor) throw badRequest('cursor', 'cursor', 'is damaged or belongs to another sort; start again without it')
  const page = await keysetPage<Row>({ ...source, sort }, cursor, params.limit)
  return { data: page.rows, next: page.next }
}

/**
 * A record as JSON text made by Postgres (`json` column): a list page is then sent without
 * parsing each value into JavaScript and serialising it again, which is most of a list's cost.
 * The object has the columns given (never workspace_id), as the record's response schema lists them.
 */
export function jsonRecord (db: Knex, alias: string, columns: readonly string[]): Knex.Raw {
  const pairs = columns.filter(c => c !== 'workspace_id').map(c => `'${c}', ${alias}.${c}`)
  return db.raw(`json_build_object(${pairs.join(', ')})::text AS json`)
}

/** Sends a page of jsonRecord rows as the list document {data, next}. */
export function sendJsonPage (reply: FastifyReply, page: { data: Array<{ json: string }>, next: string | null }) {
  return reply.type('application/json; charset=utf-8').send(`{"data":[${page.data.map(row => row.json).join(',')}],"next":${JSON.stringify(page.next)}}`)
}

export interface RecordList {
  table: string
  alias: string
  columns: readonly string[]
  workspaceId: string
  /** Equality filters by column (`h.status`); undefined ones are left out. */
  equal?: Record<string, unknown>
  /** Any other condition. */
  modify?: (query: Knex.QueryBuilder) => void
}

/** Sends one keyset page of a workspace's records, filtered, as the list document {data, next}. */
export async function sendRecordPage<S extends string> (db: Knex, reply: FastifyReply, spec: ApiListSpec<S>, params: ListParams, list: RecordList) {
  const page = await apiPage<{ json: string }, S>(spec, params, {
    db,
    idColumn: `${list.alias}.id`,
    query: () => db({ [list.alias]: list.table }).select(jsonRecord(db, list.alias, list.columns))
      .where(`${list.alias}.workspace_id`, list.workspaceId)
      .modify(query => {
        for (const [column, value] of Object.entries(list.equal ?? {})) if (value !== undefined) query.where(column, value as string)
        list.modify?.(query)
      })
  })
  return sendJsonPage(reply, page)
}
