import type { CompareOperator } from './ast.ts'
import type { ScalarAttribute } from './attribute-map.ts'
import { normaliseDateTime } from './date-time.ts'
import { ScimFilterError } from './errors.ts'
import { bind, sql, type SqlFragment } from './fragment.ts'
import { likePattern } from './like-pattern.ts'

/** `ne` is `not eq` (filter-to-sql.ts), so predicates are written for the other operators. */
export type PositiveOperator = Exclude<CompareOperator, 'ne'>

const ORDERING: Record<string, SqlFragment> = {
  eq: trusted('='), gt: trusted('>'), ge: trusted('>='), lt: trusted('<'), le: trusted('<=')
}
const ESCAPE = trusted("ESCAPE '\\'")

/**
 * `attribute <operator> value` for one single-valued attribute. `name` is the attribute as the
 * filter wrote it, for messages. The result is NULL when the attribute is NULL; the caller deals
 * with that under `not`.
 */
export function comparePredicate (attribute: ScalarAttribute, operator: PositiveOperator, value: string | number | boolean, name: string): SqlFragment {
  const column = expression(attribute)
  switch (attribute.type) {
    case 'string':
    case 'reference': {
      const text = String(value)
      if (operator === 'co' || operator === 'sw' || operator === 'ew') {
        const pattern = bind(likePattern(operator, text))
        return attribute.caseExact === true ? sql`${column} LIKE ${pattern} ${ESCAPE}` : sql`lower(${column}) LIKE lower(${pattern}::text) ${ESCAPE}`
      }
      return attribute.caseExact === true ? sql`${column} ${ORDERING[operator]} ${bind(text)}` : sql`lower(${column}) ${ORDERING[operator]} lower(${bind(text)}::text)`
    }
    case 'boolean': {
      if (operator !== 'eq') throw misuse(operator, name, 'a boolean', 'eq or ne')
      return sql`${column} = ${bind(booleanValue(value, name))}::boolean`
    }
    case 'dateTime': {
      const comparison = ordering(operator, name, 'a dateTime')
      const date = typeof value === 'string' ? normaliseDateTime(value) : null
      if (date === null) throw new ScimFilterError(`"${name}" is a dateTime attribute: ${JSON.stringify(value)} is not a date-time such as "2011-05-13T04:42:34Z"`)
      return sql`${column} ${comparison} ${bind(date)}::timestamptz`
    }
    case 'integer': {
      const comparison = ordering(operator, name, 'an integer')
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new ScimFilterError(`"${name}" is an integer attribute: compare it with a whole number, not ${JSON.stringify(value)}`)
      return sql`${column} ${comparison} ${bind(value)}::bigint`
    }
    case 'decimal': {
      const comparison = ordering(operator, name, 'a decimal')
      if (typeof value !== 'number') throw new ScimFilterError(`"${name}" is a decimal attribute: compare it with a number, not ${JSON.stringify(value)}`)
      return sql`${column} ${comparison} ${bind(value)}::numeric`
    }
  }
}

/** `attribute pr`: has a value, and for strings a non-empty one. Never NULL. */
export function presentPredicate (attribute: ScalarAttribute): SqlFragment {
  const column = expression(attribute)
  if (attribute.type === 'string' || attribute.type === 'reference') return sql`(${column} IS NOT NULL AND ${column} <> '')`
  return sql`${column} IS NOT NULL`
}

function ordering (operator: PositiveOperator, name: string, kind: string): SqlFragment {
  const fragment = ORDERING[operator]
  if (fragment === undefined) throw misuse(operator, name, kind, 'eq, ne, gt, ge, lt or le')
  return fragment
}

/** true/false; Entra's "True"/"False" strings are accepted too. */
function booleanValue (value: string | number | boolean, name: string): boolean {
  if (typeof value === 'boolean') return value
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
  throw new ScimFilterError(`"${name}" is a boolean attribute: compare it with true or false, not ${JSON.stringify(value)}`)
}

function misuse (operator: string, name: string, kind: string, allowed: string): ScimFilterError {
  return new ScimFilterError(`operator "${operator}" does not apply to "${name}", ${kind} attribute (use ${allowed})`)
}

/** The caller's SQL, parenthesised unless it is a plain column reference. */
function expression (attribute: ScalarAttribute): SqlFragment {
  const bindings = [...attribute.bindings ?? []]
  return /^[\w.]+$/.test(attribute.sql) ? { sql: attribute.sql, bindings } : { sql: `(${attribute.sql})`, bindings }
}

function trusted (text: string): SqlFragment {
  return { sql: text, bindings: [] }
}
