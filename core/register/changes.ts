import type { Changes } from '../audit/index.ts'

/** The fields of `next` whose value differs from `current`, as {field: {old, new}}. */
export function diff (current: object, next: object): Changes {
  const before = current as Record<string, unknown>
  const changes: Changes = {}
  for (const [field, value] of Object.entries(next)) {
    if (value === undefined) continue
    const old = before[field] ?? null
    if (!same(old, value)) changes[field] = { old, new: value }
  }
  return changes
}

export const isEmpty = (changes: Changes): boolean => Object.keys(changes).length === 0

/** The new values of some changes, ready to write. */
export function newValues (changes: Changes): Record<string, unknown> {
  return Object.fromEntries(Object.entries(changes).map(([field, change]) => [field, change.new]))
}

function same (a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  return canonical(a) === canonical(b)
}

// JSON with object keys sorted, so {a, b} and {b, a} compare equal (jsonb does not keep key order).
function canonical (value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v))
    ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
    : v)
}
