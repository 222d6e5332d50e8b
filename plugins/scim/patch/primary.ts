import { isObject } from './json.ts'
import { findKey, readAttribute } from './names.ts'

/**
 * RFC 7644 §3.5.2: setting one value's `primary` to true sets it to false on the others. Runs
 * after an operation wrote `written` into `elements`.
 */
export function keepOnePrimary (elements: unknown[], written: unknown[]): void {
  if (!written.some(isPrimary)) return
  for (const element of elements) {
    if (isObject(element) && !written.includes(element) && isPrimary(element)) element[findKey(element, 'primary')!] = false
  }
}

/** Values are stored as sent, so `"True"` still means primary. */
function isPrimary (element: unknown): boolean {
  const primary = readAttribute(element, 'primary')
  return primary === true || (typeof primary === 'string' && primary.toLowerCase() === 'true')
}
