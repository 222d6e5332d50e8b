export type JsonObject = Record<string, unknown>

export function isObject (value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The value without its unassigned parts, or undefined when nothing is left. Null, "" (Entra clears
 * an attribute with it), [] and {} all mean "no value" (RFC 7643 §2.5 makes null and [] equivalent
 * to an absent attribute). A `__proto__` key is dropped, so later assignments cannot change a prototype.
 */
export function withoutUnassigned (value: unknown): unknown {
  if (value === null || value === undefined || value === '') return undefined
  if (Array.isArray(value)) {
    const items = value.map(withoutUnassigned).filter(item => item !== undefined)
    return items.length === 0 ? undefined : items
  }
  if (isObject(value)) {
    const entries = Object.entries(value)
      .map(([key, item]) => [key, withoutUnassigned(item)] as const)
      .filter(([key, item]) => item !== undefined && key !== '__proto__')
    return entries.length === 0 ? undefined : Object.fromEntries(entries)
  }
  return value
}

/** The path of an attribute in error messages: `name.givenName`, `emails[0].value`, `urn:…:User:department`. */
export function attributePath (parent: string, name: string): string {
  if (parent === '') return name
  return parent.endsWith(':') ? `${parent}${name}` : `${parent}.${name}`
}
