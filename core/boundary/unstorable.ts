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

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Why PostgreSQL would refuse this text, or null when it can be stored. */
export function unstorableRule (text: string): UnstorableField['rule'] | null {
  if (text.includes('\u0000')) return 'nul'
  if (!(text as unknown as { isWellFormed: () => boolean }).isWellFormed()) return 'unicode'
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
 * path of a top-level string is `root`. One breadth-first pass over a list of nodes (no recursion,
 * so no input depth can exhaust the call stack); a path is spelled out only for a node refused.
 */
export function unstorableFields (value: unknown, root = 'input'): UnstorableField[] {
  const found: UnstorableField[] = []
  const nodes: unknown[] = [value]
  const parents: number[] = [-1]
  const keys: string[] = ['']
  const pathOf = (index: number): string => {
    const names: string[] = []
    for (let i = index; i > 0; i = parents[i]) names.push(printable(keys[i]))
    return names.reverse().join('.') || root
  }
  for (let i = 0; i < nodes.length; i++) {
    const item = nodes[i]
    if (typeof item === 'string') {
      if (unstorableRule(item)) found.push(unstorableField(pathOf(i), item)!)
    } else if (typeof item === 'object' && item !== null) {
      const isList = Array.isArray(item)
      for (const key of Object.keys(item)) {
        nodes.push((item as Record<string, unknown>)[key])
        parents.push(i)
        keys.push(key)
        if (!isList && unstorableRule(key)) found.push(unstorableField(pathOf(nodes.length - 1), key)!)
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
