// The object an attribute lives in: the document itself for the core schema, or the object under
// an extension's URN key.
import { ScimError } from '../errors.ts'
import { isObject, type JsonObject } from './json.ts'
import { findKey } from './names.ts'

/** The extension's object in the document, or undefined when absent. */
export function extensionObject (document: JsonObject, urn: string): JsonObject | undefined {
  const key = findKey(document, urn)
  if (key === undefined) return undefined
  const object = document[key]
  if (!isObject(object)) throw ScimError.invalidValue(urn, 'must be an object of attributes')
  return object
}

/** The object holding the scope's attributes, or undefined if an extension has none yet. */
export function findScope (document: JsonObject, scope: string | undefined): JsonObject | undefined {
  return scope === undefined ? document : extensionObject(document, scope)
}

/** The object holding the scope's attributes, creating an extension's object under its URN. */
export function openScope (document: JsonObject, scope: string | undefined): JsonObject {
  const existing = findScope(document, scope)
  if (existing !== undefined) return existing
  const created: JsonObject = {}
  document[scope!] = created
  return created
}

/** Removes an extension's object whole. */
export function removeScope (document: JsonObject, scope: string): void {
  const key = findKey(document, scope)
  if (key !== undefined) delete document[key]
}

/** Removes the attribute, if present. */
export function deleteAttribute (document: JsonObject, scope: string | undefined, attribute: string): void {
  const object = findScope(document, scope)
  const key = object && findKey(object, attribute)
  if (object !== undefined && key !== undefined) delete object[key]
}

/**
 * After an operation: an attribute left as [] or {} is unassigned (RFC 7643 §2.5, RFC 7644
 * §3.5.2.2), so its key goes, and so does an extension's object left empty.
 */
export function tidyAttribute (document: JsonObject, scope: string | undefined, attribute: string): void {
  const object = findScope(document, scope)
  const key = object && findKey(object, attribute)
  if (object !== undefined && key !== undefined && isEmpty(object[key])) delete object[key]
  const scopeKey = scope === undefined ? undefined : findKey(document, scope)
  if (scopeKey !== undefined && isEmpty(document[scopeKey])) delete document[scopeKey]
}

function isEmpty (value: unknown): boolean {
  return (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0)
}
