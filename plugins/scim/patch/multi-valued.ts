// The values of a multi-valued attribute: reading what a client sends, and adding or removing them.
import { isCaseExactSubAttribute, isComplexMultiValued } from './attributes.ts'
import { cloneJson } from './clone.ts'
import { isClearing, isObject, jsonEqual } from './json.ts'
import { readAttribute, sameName } from './names.ts'

/**
 * The elements a client sent: one value or an array, without nulls and empty strings. A bare string
 * for a complex attribute is its `value` (Microsoft's validator adds the member `"string id 1"`).
 */
export function toElements (scope: string | undefined, attribute: string, value: unknown): unknown[] {
  const items = Array.isArray(value) ? value : [value]
  return items
    .filter(item => item !== undefined && !isClearing(item))
    .map(item => isComplexMultiValued(scope, attribute) && !isObject(item) && !Array.isArray(item) ? { value: item } : cloneJson(item))
}

/**
 * Whether two elements are the same value: members by their `value` (an id, case-exact); other
 * elements with a `value` by `value` and `type` (so a work email sent again with another `primary`
 * is not added twice); elements without a `value` by equality.
 */
export function sameElement (attribute: string, a: unknown, b: unknown): boolean {
  const [valueA, valueB] = [readAttribute(a, 'value'), readAttribute(b, 'value')]
  if (valueA === undefined || valueB === undefined) return jsonEqual(a, b)
  if (!sameScalar(attribute, 'value', valueA, valueB)) return false
  return sameName(attribute, 'members') || sameScalar(attribute, 'type', readAttribute(a, 'type'), readAttribute(b, 'type'))
}

function sameScalar (attribute: string, subAttribute: string, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && !isCaseExactSubAttribute(attribute, subAttribute)) {
    return a.toLowerCase() === b.toLowerCase()
  }
  return jsonEqual(a, b)
}

/** Appends the elements not already present (RFC 7644 §3.5.2.1: adding an existing value changes nothing); returns those added. */
export function appendNew (attribute: string, elements: unknown[], additions: unknown[]): unknown[] {
  const added: unknown[] = []
  for (const addition of additions) {
    if (elements.some(element => sameElement(attribute, element, addition))) continue
    elements.push(addition)
    added.push(addition)
  }
  return added
}

/** The elements without repeats, the first of each kept. */
export function withoutRepeats (attribute: string, elements: unknown[]): unknown[] {
  return appendNew(attribute, [], elements)
}

/**
 * The elements that match none of `removals`. A removal with a `value` (Entra's `[{"value": id}]`)
 * removes the elements with that value; one without, the elements equal to it.
 */
export function withoutValues (attribute: string, elements: unknown[], removals: unknown[]): unknown[] {
  return elements.filter(element => !removals.some(removal => {
    const value = readAttribute(removal, 'value')
    return value === undefined ? jsonEqual(element, removal) : sameScalar(attribute, 'value', readAttribute(element, 'value'), value)
  }))
}
