import { isObject } from './json.ts'

/**
 * A deep copy of a JSON value. Objects are built with Object.fromEntries, which defines keys as
 * own properties, so even a key named "__proto__" cannot change a prototype.
 */
export function cloneJson<T> (value: T): T {
  if (Array.isArray(value)) return value.map(item => cloneJson(item)) as T
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cloneJson(item)])) as T
  return value
}
