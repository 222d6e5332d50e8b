// Text PostgreSQL refuses to store: the NUL character (in text: 22021; in jsonb: 22P05) and, in
// jsonb, an unpaired UTF-16 surrogate (a lone "\ud800" that JSON allows and Unicode does not;
// in text, the driver would silently turn it into U+FFFD). Every entry point checks its input
// with unstorableFields before anything reaches the database.

export interface UnstorableField {
  /** Where it is: `name`, `specifications.cpu`, `emails.0.value` (dotted, list items by index). */
  field: string
  rule: 'nul' | 'unicode'
  message: string
}

export const NUL_MESSAGE = 'must not contain NUL characters (U+0000)'
export const UNICODE_MESSAGE = 'must be valid Unicode text (it contains an unpaired surrogate)'

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g')

/** Why PostgreSQL would refuse this text, or null when it can be stored. */
export function unstorableRule (text: string): UnstorableField['rule'] | null {
  if (text.includes('\u0000')) return 'nul'
  if (LONE_SURROGATE.test(text)) return 'unicode'
  return null
}

/** The problem of one text field PostgreSQL would refuse, or null. */
export function unstorableField (field: string, text: unknown): UnstorableField | null {
  const rule = typeof text === 'string' ? unstorableRule(text) : null
  return rule && { field, rule, message: rule === 'nul' ? NUL_MESSAGE : UNICODE_MESSAGE }
}

/** A name as a message may show it: NUL and lone surrogates written as escapes. */
export function printable (text: string): string {
  return text.replaceAll('\u0000', '\\u0000').replace(LONE_SURROGATES, c => `\\u${c.charCodeAt(0).toString(16)}`)
}

/**
 * Every string (value or object key) in `value` that PostgreSQL would refuse, with its path; the
 * path of a top-level string is `root`. Walks with an explicit stack, so no input depth can
 * exhaust the call stack.
 */
export function unstorableFields (value: unknown, root = 'input'): UnstorableField[] {
  const found: UnstorableField[] = []
  const stack: Array<[path: string, value: unknown]> = [['', value]]
  while (stack.length > 0) {
    const [path, item] = stack.pop()!
    if (typeof item === 'string') {
      const problem = unstorableField(path || root, item)
      if (problem) found.push(problem)
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([path ? `${path}.${i}` : String(i), item[i]])
    } else if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]
        const at = path ? `${path}.${printable(key)}` : printable(key)
        const problem = unstorableField(at, key)
        if (problem) found.push(problem)
        stack.push([at, child])
      }
    }
  }
  return found
}

/**
 * `value` with every string made storable: NUL written as the six characters `\u0000` and lone
 * surrogates as their escapes, so a log line that quotes bad input keeps it, visibly.
 */
export function storable<T> (value: T): T {
  if (typeof value === 'string') return (unstorableRule(value) ? printable(value) : value) as T
  if (Array.isArray(value)) return value.map(storable) as T
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storable(v)])) as T
  }
  return value
}
