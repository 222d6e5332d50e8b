import type { Knex } from 'knex'

/**
 * The distinct values of some columns in one workspace, sorted, for filters' choices; one round
 * trip. Each is a loose index scan (one probe of an index on (workspace_id, column) per value),
 * so a column with a dozen values costs a dozen probes even in a table of a million rows.
 */
export async function distinctColumns<C extends string> (db: Knex, workspaceId: string, table: string, columns: readonly C[], limit = 200): Promise<Record<C, string[]>> {
  const scans = columns.map((_, i) => `
    (WITH RECURSIVE found(value) AS (
      (SELECT ?? FROM ?? WHERE workspace_id = ? AND ?? IS NOT NULL ORDER BY ?? LIMIT 1)
      UNION ALL
      SELECT (SELECT ?? FROM ?? WHERE workspace_id = ? AND ?? > found.value ORDER BY ?? LIMIT 1)
      FROM found WHERE found.value IS NOT NULL
    )
    SELECT ${i} AS n, value FROM found WHERE value IS NOT NULL LIMIT ?)`)
  const bindings = columns.flatMap(c => [c, table, workspaceId, c, c, c, table, workspaceId, c, c, limit])
  const { rows } = await db.raw<{ rows: Array<{ n: number, value: string }> }>(scans.join(' UNION ALL '), bindings)
  const found = Object.fromEntries(columns.map(c => [c, [] as string[]])) as Record<C, string[]>
  for (const row of rows) found[columns[row.n]].push(row.value)
  return found
}

/** The distinct values of one column: distinctColumns for a single filter. */
export async function distinctValues (db: Knex, workspaceId: string, table: string, column: string, limit = 200): Promise<string[]> {
  return (await distinctColumns(db, workspaceId, table, [column], limit))[column]
}
