import { ScimError } from '../errors.ts'
import { isObject, type JsonObject } from './json.ts'

/** Names that could reach an object's prototype if used as keys. */
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype'])
/** SCIM values are a few levels deep; deeper input is refused before it can exhaust the stack. */
const MAX_VALUE_DEPTH = 32

/** Throws 400 invalidPath if `name` may not be used as an attribute name. */
export function assertAllowedName (name: string): void {
  if (FORBIDDEN_NAMES.has(name.toLowerCase())) {
    throw new ScimError(400, 'invalidPath', `"${name}" is not allowed as an attribute name`)
  }
}

/** Checks every key of a value sent by the client, at any depth. */
export function assertAllowedKeys (value: unknown, depth = 0): void {
  if (depth > MAX_VALUE_DEPTH) throw ScimError.invalidValue('value', `must not be nested deeper than ${MAX_VALUE_DEPTH} levels`)
  if (Array.isArray(value)) {
    for (const item of value) assertAllowedKeys(item, depth + 1)
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      assertAllowedName(key)
      assertAllowedKeys(item, depth + 1)
    }
  }
}

/**
 * The key under which `object` holds the attribute `name`, matched case-insensitively (SCIM
 * attribute names are), preferring an exact match; undefined when absent. Own keys only.
 */
export function findKey (object: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name
  const lower = name.toLowerCase()
  return Object.keys(object).find(key => key.toLowerCase() === lower)
}

/** The key to write `name` under: the existing key in whatever casing, else `name` as given. */
export function keyFor (object: JsonObject, name: string): string {
  return findKey(object, name) ?? name
}

/** The value of attribute `name` (case-insensitive), or undefined. */
export function readAttribute (object: unknown, name: string): unknown {
  if (!isObject(object)) return undefined
  const key = findKey(object, name)
  return key === undefined ? undefined : object[key]
}

export function sameName (a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}
