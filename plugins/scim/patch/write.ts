// The add and replace operations at a path (RFC 7644 §3.5.2.1 and §3.5.2.3).
import { ScimError } from '../errors.ts'
import { isCaseExactSubAttribute, isMultiValued } from './attributes.ts'
import { cloneJson } from './clone.ts'
import { elementFromFilter } from './filter-template.ts'
import { isClearing, isObject, type JsonObject } from './json.ts'
import { appendNew, toElements, withoutRepeats } from './multi-valued.ts'
import { findKey, keyFor, readAttribute } from './names.ts'
import type { Location } from './paths.ts'
import { keepOnePrimary } from './primary.ts'
import { deleteAttribute, findScope, openScope } from './scope.ts'
import { matchesValueFilter } from './value-filter.ts'

export type WriteOperation = 'add' | 'replace'
export type AttributeLocation = Location & { attribute: string }

/** Writes `value` at `location`. null and "" unassign a single value (Entra's null-update). */
export function writeAt (document: JsonObject, location: AttributeLocation, op: WriteOperation, value: unknown): void {
  if (location.valueFilter !== undefined) writeFiltered(document, location, op, value)
  else if (location.subAttribute !== undefined) writeSubAttribute(document, location, location.subAttribute, value)
  else writeAttribute(document, location, op, value)
}

/** The attribute's current value, or undefined. */
export function currentValue (document: JsonObject, { scope, attribute }: AttributeLocation): unknown {
  return readAttribute(findScope(document, scope), attribute)
}

/** Stores `value` as the attribute, under its existing key if it has one. */
function store (document: JsonObject, { scope, attribute }: AttributeLocation, value: unknown): void {
  const object = openScope(document, scope)
  object[keyFor(object, attribute)] = value
}

/** An add appends to a multi-valued attribute and a replace sets the whole list; a single value is set, a complex one merged. */
function writeAttribute (document: JsonObject, location: AttributeLocation, op: WriteOperation, value: unknown): void {
  const { scope, attribute } = location
  const existing = currentValue(document, location)
  if (isMultiValued(scope, attribute, existing)) {
    const sent = toElements(scope, attribute, value)
    if (op === 'replace') {
      store(document, location, withoutRepeats(attribute, sent))
      return
    }
    if (sent.length === 0) return
    const elements = asArray(existing)
    keepOnePrimary(elements, appendNew(attribute, elements, sent))
    store(document, location, elements)
  } else if (isClearing(value)) {
    deleteAttribute(document, location.scope, attribute)
  } else if (isObject(existing) && isObject(value)) {
    // RFC 7644 §3.5.2.1/§3.5.2.3: sub-attributes not sent are left unchanged.
    mergeInto(existing, value)
  } else {
    store(document, location, cloneJson(value))
  }
}

/** `name.familyName`: sets (or with null/"", removes) the sub-attribute; on a list, on every element. */
function writeSubAttribute (document: JsonObject, location: AttributeLocation, subAttribute: string, value: unknown): void {
  const existing = currentValue(document, location)
  if (isMultiValued(location.scope, location.attribute, existing)) {
    const elements = asArray(existing)
    if (elements.length === 0 && !isClearing(value)) elements.push({})
    for (const element of elements) {
      if (isObject(element)) setSubAttribute(element, subAttribute, value)
    }
    store(document, location, elements)
    return
  }
  // A manager stored as a bare string becomes an object when `manager.value` is written.
  const complex = isObject(existing) ? existing : {}
  setSubAttribute(complex, subAttribute, value)
  store(document, location, complex)
}

/**
 * `emails[type eq "work"].value` sets the sub-attribute on every matching element and
 * `emails[type eq "work"]` merges (add) or replaces (replace) the matching elements. When none
 * match, the element the filter describes is created, except by a replace of whole elements
 * (400 noTarget).
 */
function writeFiltered (document: JsonObject, location: AttributeLocation, op: WriteOperation, value: unknown): void {
  const elements = asArray(filterableValue(document, location))
  const matches = elements.filter(element => matchesValueFilter(element, location.valueFilter!, {
    isCaseExact: subAttribute => isCaseExactSubAttribute(location.attribute, subAttribute)
  }))
  const written = location.subAttribute === undefined
    ? writeFilteredElements(elements, matches, location, op, value)
    : writeFilteredSubAttribute(elements, matches, location, location.subAttribute, value)
  keepOnePrimary(elements, written)
  store(document, location, elements)
}

function writeFilteredSubAttribute (elements: unknown[], matches: unknown[], location: AttributeLocation, subAttribute: string, value: unknown): unknown[] {
  if (matches.length > 0 || isClearing(value)) {
    for (const element of matches) {
      if (isObject(element)) setSubAttribute(element, subAttribute, value)
    }
    return matches
  }
  const created = elementFromFilter(location.valueFilter!, location.text)
  setSubAttribute(created, subAttribute, value)
  elements.push(created)
  return [created]
}

function writeFilteredElements (elements: unknown[], matches: unknown[], location: AttributeLocation, op: WriteOperation, value: unknown): unknown[] {
  if (op === 'replace' && isClearing(value)) {
    elements.splice(0, elements.length, ...elements.filter(element => !matches.includes(element)))
    return []
  }
  const sent = toElements(location.scope, location.attribute, value)
  if (sent.length !== 1) throw ScimError.invalidValue(`value of "${location.text}"`, 'must be one value')
  const [element] = sent
  if (op === 'replace') {
    if (matches.length === 0) throw new ScimError(400, 'noTarget', `path "${location.text}" matches no value`)
    return matches.map(match => {
      const replacement = cloneJson(element)
      elements[elements.indexOf(match)] = replacement
      return replacement
    })
  }
  if (matches.length === 0) {
    const created = isObject(element) ? elementFromFilter(location.valueFilter!, location.text) : element
    if (isObject(created) && isObject(element)) mergeInto(created, element)
    elements.push(created)
    return [created]
  }
  for (const match of matches) {
    if (isObject(match) && isObject(element)) mergeInto(match, element)
    else elements[elements.indexOf(match)] = cloneJson(element)
  }
  return matches
}

/** The value a filter selects from: a list, or nothing yet. */
export function filterableValue (document: JsonObject, location: AttributeLocation): unknown[] | undefined {
  const existing = currentValue(document, location)
  if (existing === undefined || Array.isArray(existing)) return existing
  throw new ScimError(400, 'invalidPath', `path "${location.text}": a value filter needs a multi-valued attribute, and "${location.attribute}" is not one`)
}

function asArray (value: unknown): unknown[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}

/** Sets the sub-attribute under its existing key, or removes it for null and "". */
function setSubAttribute (object: JsonObject, subAttribute: string, value: unknown): void {
  if (isClearing(value)) {
    const key = findKey(object, subAttribute)
    if (key !== undefined) delete object[key]
  } else {
    object[keyFor(object, subAttribute)] = cloneJson(value)
  }
}

/** Sets each sub-attribute of `value` in `target`; null and "" remove one. */
function mergeInto (target: JsonObject, value: JsonObject): void {
  for (const [subAttribute, item] of Object.entries(value)) setSubAttribute(target, subAttribute, item)
}
