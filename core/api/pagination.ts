import type { FastifyReply } from 'fastify'
import type { Knex } from 'knex'
import { decodeCursor, keysetPage, parseSort, type PageSource, type SortOptions } from '../admin/list/index.ts'
import { badRequest } from './problem.ts'
import type { ListCache } from './list-cache.ts'
import { RAW_TEXT, recordWriter, type RecordWriter } from './record-json.ts'
import { SHARED_SCHEMAS } from './schemas.ts'

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

const writers = new Map<string, RecordWriter>()

/** The writer of a shared record schema by its $id ('Hardware'). */
function writerOf (record: string): RecordWriter {
  let writer = writers.get(record)
  if (!writer) {
    const schema = SHARED_SCHEMAS.find(s => s.$id === record)
    if (!schema) throw new Error(`no shared schema ${record}`)
    writer = recordWriter(schema)
    writers.set(record, writer)
  }
  return writer
}

export interface RecordList {
  table: string
  alias: string
  /** The $id of the record's response schema (core/api/schemas.ts); its properties are the columns read. */
  record: string
  workspaceId: string
  /** Equality filters by column (`h.status`); undefined ones are left out. */
  equal?: Record<string, unknown>
  /** Any other condition. */
  modify?: (query: Knex.QueryBuilder) => void
  /** Keeps pages of a watched table (list-cache.ts): for a page that reads nothing but the table, by `equal` and the parameters (so never with `modify`). */
  cache?: ListCache
}

/** Sends one keyset page of a workspace's records, filtered, as the list document {data, next}. */
export async function sendRecordPage<S extends string> (db: Knex, reply: FastifyReply, spec: ApiListSpec<S>, params: ListParams, list: RecordList) {
  const read = () => readRecordPage(db, spec, params, list)
  const body = list.cache && !list.modify
    ? await list.cache.page(list.table, JSON.stringify([list.record, list.workspaceId, params, list.equal]), read)
    : await read()
  return reply.type('application/json; charset=utf-8').send(body)
}

async function readRecordPage<S extends string> (db: Knex, spec: ApiListSpec<S>, params: ListParams, list: RecordList): Promise<string> {
  const writer = writerOf(list.record)
  const page = await apiPage<Record<string, string | null>, S>(spec, params, {
    db,
    idColumn: `${list.alias}.id`,
    keepPagerColumns: true,
    query: () => db({ [list.alias]: list.table }).select(writer.columns.map(c => `${list.alias}.${c}`))
      .where(`${list.alias}.workspace_id`, list.workspaceId)
      .modify(query => {
        for (const [column, value] of Object.entries(list.equal ?? {})) if (value !== undefined) query.where(column, value as string)
        list.modify?.(query)
      })
      .options(RAW_TEXT)
  })
  return `{"data":[${page.data.map(writer.write).join(',')}],"next":${JSON.stringify(page.next)}}`
}
