/** A value bound to a `?` placeholder; never written into SQL text. */
export type SqlBinding = string | number | boolean

/** SQL text with `?` placeholders and their values in order: what knex `whereRaw(sql, bindings)` takes. */
export interface SqlFragment {
  sql: string
  bindings: SqlBinding[]
}

/** A placeholder for one value. */
export function bind (value: SqlBinding): SqlFragment {
  return { sql: '?', bindings: [value] }
}

/**
 * Builds a fragment from trusted SQL text: the template's literal parts are written as they are,
 * and each interpolated part must itself be a fragment, so a value cannot reach the SQL text
 * without going through `bind`.
 */
export function sql (strings: TemplateStringsArray, ...parts: SqlFragment[]): SqlFragment {
  let text = strings[0]
  const bindings: SqlBinding[] = []
  parts.forEach((part, i) => {
    text += part.sql + strings[i + 1]
    bindings.push(...part.bindings)
  })
  return { sql: text, bindings }
}

export function joinFragments (fragments: SqlFragment[], separator: string): SqlFragment {
  return { sql: fragments.map(f => f.sql).join(separator), bindings: fragments.flatMap(f => f.bindings) }
}
