import type { Knex } from 'knex'

export interface ListWindow { where: { sql: string, bindings: readonly unknown[] } | null, startIndex: number, count: number }

/**
 * One page of a resource list in a stable order (created, then id: Okta pages with count=100 and
 * expects no row twice) and the total the filter matches. `rows` gives a fresh query of the
 * workspace's rows under alias `alias`.
 */
export async function listPage<Row> (rows: () => Knex.QueryBuilder, alias: string, columns: string[], window: ListWindow): Promise<{ total: number, rows: Row[] }> {
  const filtered = () => {
    const query = rows()
    if (window.where) query.whereRaw(window.where.sql, window.where.bindings as Knex.RawBinding[])
    return query
  }
  const [{ total }] = await filtered().count({ total: '*' }) as Array<{ total: string | number }>
  const page = window.count === 0
    ? []
    : await filtered().select(columns).orderBy([{ column: `${alias}.created_at` }, { column: `${alias}.id` }]).offset(window.startIndex - 1).limit(window.count)
  return { total: Number(total), rows: page as Row[] }
}
