import type { Knex } from 'knex'

export interface ListWindow { where: { sql: string, bindings: readonly unknown[] } | null, startIndex: number, count: number }

/**
 * One page of a resource list in a stable order (created, then id: Okta pages with count=100 and
 * expects no row twice) and the total the filter matches, in one query (`count(*) OVER ()`); only
 * a page past the end, which has no row to carry the total, counts separately. `rows` gives a
 * fresh query of the workspace's rows under alias `alias`.
 */
export async function listPage<Row> (db: Knex, rows: () => Knex.QueryBuilder, alias: string, columns: string[], window: ListWindow): Promise<{ total: number, rows: Row[] }> {
  const filtered = () => {
    const query = rows()
    if (window.where) query.whereRaw(window.where.sql, window.where.bindings as Knex.RawBinding[])
    return query
  }
  const counted = async () => Number((await filtered().count({ total: '*' }) as Array<{ total: string | number }>)[0].total)
  if (window.count === 0) return { total: await counted(), rows: [] }
  const page: Array<Row & { __total: string }> = await filtered().select([...columns, db.raw('count(*) OVER () AS __total')])
    .orderBy([{ column: `${alias}.created_at` }, { column: `${alias}.id` }]).offset(window.startIndex - 1).limit(window.count)
  if (page.length === 0) return { total: window.startIndex > 1 ? await counted() : 0, rows: [] }
  return { total: Number(page[0].__total), rows: page.map(({ __total: _total, ...row }) => row as Row) }
}
