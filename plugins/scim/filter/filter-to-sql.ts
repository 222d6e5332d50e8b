import type { AttributePath, Filter } from './ast.ts'
import { isMultiValued, lookUp, resolveName, subAttributeOf, type FilterAttributes, type MultiValuedAttribute, type ScalarAttribute } from './attribute-map.ts'
import { formatAttributePath } from './attribute-path.ts'
import { ScimFilterError } from './errors.ts'
import type { SqlFragment } from './fragment.ts'
import { comparePredicate, presentPredicate } from './predicate-sql.ts'

/** A parenthesised SQL condition; `nullable` when it can be NULL (an absent attribute compared). */
interface Condition extends SqlFragment {
  nullable: boolean
}

/** Where a path leads: one value of the row, or one value inside each element of a multi-valued attribute. */
type Target =
  | { scalar: ScalarAttribute, name: string }
  | { multi: MultiValuedAttribute, element?: ScalarAttribute, name: string }

/** How the attribute paths of one (sub-)filter are found: the resource's, or one element's. */
interface Scope {
  find: (path: AttributePath) => Target | undefined
  /** The path as the filter wrote it, for messages. */
  name: (path: AttributePath) => string
}

/**
 * Translates a parsed filter into a parameterised PostgreSQL condition for knex
 * `whereRaw(sql, bindings)`. Values only ever travel as bindings. The SQL is parenthesised, so it
 * can be and-ed with other conditions as it is. Throws ScimFilterError (invalidFilter) for an
 * unknown attribute or an operator or value its type does not allow.
 *
 * NULL: a comparison with an absent attribute is false, and so `not (title eq "x")` and
 * `title ne "x"` include rows without a title.
 */
export function filterToSql (filter: Filter, attributes: FilterAttributes): SqlFragment {
  const { sql, bindings } = translate(filter, resourceScope(attributes))
  return { sql, bindings }
}

function translate (filter: Filter, scope: Scope): Condition {
  switch (filter.kind) {
    case 'and':
    case 'or': {
      const parts = filter.filters.map(part => translate(part, scope))
      return {
        sql: `(${parts.map(part => part.sql).join(filter.kind === 'and' ? ' AND ' : ' OR ')})`,
        bindings: parts.flatMap(part => part.bindings),
        nullable: parts.some(part => part.nullable)
      }
    }
    case 'not':
      return negate(translate(filter.filter, scope))
    case 'present':
      return present(resolve(scope, filter.path))
    case 'compare': {
      const { operator, value } = filter
      if (value === null) {
        if (operator === 'eq') return negate(present(resolve(scope, filter.path)))
        if (operator === 'ne') return present(resolve(scope, filter.path))
        throw new ScimFilterError(`only eq and ne compare with null, found "${formatAttributePath(filter.path)} ${operator} null"`)
      }
      const target = resolve(scope, filter.path)
      if (operator === 'ne') return negate(onTarget(target, column => comparePredicate(column, 'eq', value, target.name)))
      return onTarget(target, column => comparePredicate(column, operator, value, target.name))
    }
    case 'valuePath':
      return valuePath(filter.path, filter.filter, scope)
  }
}

/** `emails[type eq "work"]`: one element matches; on a single-valued complex attribute, its sub-attributes match. */
function valuePath (path: AttributePath, filter: Filter, scope: Scope): Condition {
  const target = path.subAttribute === undefined ? scope.find(path) : undefined
  if (target !== undefined && 'multi' in target && target.element === undefined) {
    return exists(target.multi, translate(filter, elementScope(target.multi, target.name)))
  }
  const withParent = (inner: AttributePath): AttributePath => ({ ...path, subAttribute: inner.attribute })
  return translate(filter, { find: inner => scope.find(withParent(inner)), name: inner => scope.name(withParent(inner)) })
}

/** A predicate on the target's value (NULL when it is absent): directly, or as EXISTS over the elements. */
function onTarget (target: Target, predicate: (column: ScalarAttribute) => SqlFragment, nullable = true): Condition {
  if ('scalar' in target) {
    const { sql, bindings } = predicate(target.scalar)
    return { sql: `(${sql})`, bindings, nullable }
  }
  const element = target.element ?? subAttributeOf(target.multi, 'value')
  if (element === undefined) throw new ScimFilterError(`"${target.name}" has no "value" sub-attribute to compare: name one, as in "${target.name}.type"`)
  return exists(target.multi, onTarget({ scalar: element, name: target.name }, predicate, nullable))
}

function present (target: Target): Condition {
  if ('multi' in target && target.element === undefined) return exists(target.multi)
  return onTarget(target, presentPredicate, false)
}

function exists (multi: MultiValuedAttribute, condition?: Condition): Condition {
  const clauses = [multi.where, condition?.sql].filter(clause => clause !== undefined)
  const where = clauses.length === 0 ? '' : ` WHERE ${clauses.join(' AND ')}`
  return { sql: `EXISTS (SELECT 1 FROM ${multi.from}${where})`, bindings: condition?.bindings ?? [], nullable: false }
}

/** NOT that counts an unknown (NULL) condition as false, so rows lacking the attribute are kept. */
function negate (condition: Condition): Condition {
  const sql = condition.nullable ? `(NOT coalesce(${condition.sql}, false))` : `(NOT ${condition.sql})`
  return { sql, bindings: condition.bindings, nullable: false }
}

function resolve (scope: Scope, path: AttributePath): Target {
  const target = scope.find(path)
  if (target === undefined) throw new ScimFilterError(`unknown attribute "${scope.name(path)}" in the filter`)
  return target
}

function resourceScope (attributes: FilterAttributes): Scope {
  return {
    name: formatAttributePath,
    find: path => {
      const written = formatAttributePath(path)
      const name = resolveName(path, attributes)
      const mapping = lookUp(name, attributes)
      if (mapping !== undefined && !isMultiValued(mapping)) return { scalar: mapping, name: written }
      if (mapping !== undefined && name.subAttribute === undefined) return { multi: mapping, name: written }
      if (mapping !== undefined || name.subAttribute === undefined) return undefined
      const parent = lookUp({ ...name, subAttribute: undefined }, attributes)
      const element = parent !== undefined && isMultiValued(parent) ? subAttributeOf(parent, name.subAttribute) : undefined
      return element === undefined ? undefined : { multi: parent as MultiValuedAttribute, element, name: written }
    }
  }
}

function elementScope (multi: MultiValuedAttribute, parentName: string): Scope {
  const name = (path: AttributePath) => `${parentName}.${formatAttributePath(path)}`
  return {
    name,
    find: path => {
      const scalar = path.schema === undefined && path.subAttribute === undefined ? subAttributeOf(multi, path.attribute.toLowerCase()) : undefined
      return scalar === undefined ? undefined : { scalar, name: name(path) }
    }
  }
}
