// Evaluates a value filter (`emails[type eq "work"]`, `members[value eq "id"]`) against one
// element of a multi-valued attribute, in memory.
import type { AttributePath, CompareOperator, Filter, FilterValue } from '../filter/index.ts'
import { isObject } from './json.ts'
import { readAttribute } from './names.ts'

export interface ValueFilterOptions {
  /** Whether strings of this sub-attribute compare case-exactly; all others ignore case. */
  isCaseExact (subAttribute: string): boolean
}

const ORDERING = new Set<CompareOperator>(['gt', 'ge', 'lt', 'le'])
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/

/** Whether `element` matches `filter`. An absent attribute matches no comparison but `ne`. */
export function matchesValueFilter (element: unknown, filter: Filter, options: ValueFilterOptions): boolean {
  switch (filter.kind) {
    case 'and': return filter.filters.every(part => matchesValueFilter(element, part, options))
    case 'or': return filter.filters.some(part => matchesValueFilter(element, part, options))
    case 'not': return !matchesValueFilter(element, filter.filter, options)
    case 'present': return someValue(read(element, filter.path), isPresent)
    case 'valuePath': return someValue(read(element, filter.path), item => matchesValueFilter(item, filter.filter, options))
    case 'compare': {
      const actual = read(element, filter.path)
      const caseExact = options.isCaseExact(filter.path.subAttribute ?? filter.path.attribute)
      if (filter.operator === 'ne') return !matchesEqual(actual, filter.value, caseExact)
      return someValue(actual, item => compare(item, filter.operator, filter.value, caseExact))
    }
  }
}

/**
 * The attribute of the element. The element of a multi-valued simple attribute (a bare string)
 * is its own `value`.
 */
function read (element: unknown, path: AttributePath): unknown {
  if (!isObject(element)) return path.subAttribute === undefined && path.attribute.toLowerCase() === 'value' ? element : undefined
  const value = readAttribute(element, path.attribute)
  return path.subAttribute === undefined ? value : readAttribute(value, path.subAttribute)
}

/** A multi-valued attribute matches when one of its values does. */
function someValue (value: unknown, test: (item: unknown) => boolean): boolean {
  return Array.isArray(value) ? value.some(test) : test(value)
}

function isPresent (value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false
  if (Array.isArray(value)) return value.length > 0
  return !isObject(value) || Object.keys(value).length > 0
}

function matchesEqual (actual: unknown, expected: FilterValue, caseExact: boolean): boolean {
  return someValue(actual, item => compare(item, 'eq', expected, caseExact))
}

function compare (actual: unknown, operator: CompareOperator, expected: FilterValue, caseExact: boolean): boolean {
  if (expected === null) return operator === 'eq' && (actual === undefined || actual === null)
  const pair = ORDERING.has(operator) ? dateTimes(actual, expected) ?? comparable(actual, expected, caseExact) : comparable(actual, expected, caseExact)
  if (pair === undefined) return false
  const [left, right] = pair
  switch (operator) {
    case 'eq': return left === right
    case 'ne': return left !== right
    case 'co': return typeof left === 'string' && left.includes(right as string)
    case 'sw': return typeof left === 'string' && left.startsWith(right as string)
    case 'ew': return typeof left === 'string' && left.endsWith(right as string)
    case 'gt': return ordered(left, right) && left > right
    case 'ge': return ordered(left, right) && left >= right
    case 'lt': return ordered(left, right) && left < right
    case 'le': return ordered(left, right) && left <= right
  }
}

/**
 * The two values in one comparable type, or undefined if they cannot be compared. Values are
 * stored as sent (coercion happens later), so `"True"` compares equal to `true` and `"42"` to 42.
 */
function comparable (actual: unknown, expected: string | number | boolean, caseExact: boolean): [string | number | boolean, string | number | boolean] | undefined {
  if (typeof expected === 'boolean') {
    if (typeof actual === 'boolean') return [actual, expected]
    if (typeof actual === 'string' && /^(true|false)$/i.test(actual)) return [actual.toLowerCase() === 'true', expected]
    return undefined
  }
  if (typeof expected === 'number') {
    const number = typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : actual
    return typeof number === 'number' && Number.isFinite(number) ? [number, expected] : undefined
  }
  if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') return undefined
  const text = String(actual)
  return caseExact ? [text, expected] : [text.toLowerCase(), expected.toLowerCase()]
}

/** Two date-times as instants, so that offsets and fractions order correctly. */
function dateTimes (actual: unknown, expected: FilterValue): [number, number] | undefined {
  if (typeof actual !== 'string' || typeof expected !== 'string') return undefined
  if (!ISO_DATE_TIME.test(actual) || !ISO_DATE_TIME.test(expected)) return undefined
  const [left, right] = [Date.parse(actual), Date.parse(expected)]
  return Number.isNaN(left) || Number.isNaN(right) ? undefined : [left, right]
}

/** Booleans have no order (RFC 7644 §3.4.2.2). */
function ordered (left: unknown, right: unknown): boolean {
  return typeof left !== 'boolean' && typeof left === typeof right
}
