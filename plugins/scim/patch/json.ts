// Helpers for the JSON values a SCIM document is made of.

export type JsonObject = Record<string, unknown>

/** A JSON object: not null, not an array. */
export function isObject (value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Structural equality of two JSON values (key order does not matter). */
export function jsonEqual (a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]))
  }
  if (!isObject(a) || !isObject(b)) return false
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every(key => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
}

/** Whether `next`, written as JSON (undefined members dropped), is what `stored` already holds. */
export function sameOnceStored (stored: unknown, next: unknown): boolean {
  return jsonEqual(stored, JSON.parse(JSON.stringify(next)))
}

/**
 * A value that unassigns the attribute it is written to: null (RFC 7643 §2.5) or "" (Entra's
 * null-update sends `"value": ""`, e.g. to remove the manager).
 */
export function isClearing (value: unknown): boolean {
  return value === null || value === ''
}
