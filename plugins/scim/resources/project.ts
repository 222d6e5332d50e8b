import { isObject, type JsonObject } from './values.ts'

/** Returned whatever `attributes` or `excludedAttributes` say. */
const ALWAYS_RETURNED = ['id', 'schemas', 'meta']

/** A whole attribute, or some of its sub-attributes; keys are lowercase. */
type Selection = true | Map<string, Selection>

/**
 * Applies `attributes` or `excludedAttributes` (RFC 7644 §3.4.2.5): comma-separated paths, any case,
 * URN-prefixed or not, with sub-attributes (`name.givenName`). A value filter is ignored, so
 * `emails[type eq "work"]` means `emails` (Microsoft's validator sends it). `attributes` wins when
 * both are given. Paths that name nothing are ignored.
 */
export function projectAttributes (resource: Record<string, unknown>, query: { attributes?: string, excludedAttributes?: string }, coreSchema: string): Record<string, unknown> {
  const attributes = selectionOf(query.attributes, resource, coreSchema)
  if (attributes.size > 0) {
    for (const name of ALWAYS_RETURNED) attributes.set(name, true)
    return keep(resource, attributes) ?? {}
  }
  const excluded = selectionOf(query.excludedAttributes, resource, coreSchema)
  for (const name of ALWAYS_RETURNED) excluded.delete(name)
  return excluded.size > 0 ? remove(resource, excluded) : resource
}

function selectionOf (list: string | undefined, resource: JsonObject, coreSchema: string): Map<string, Selection> {
  const root = new Map<string, Selection>()
  for (const item of splitList(list ?? '')) {
    const path = pathOf(withoutValueFilters(item).trim().toLowerCase(), resource, coreSchema)
    if (path.length > 0) select(root, path)
  }
  return root
}

function select (root: Map<string, Selection>, path: string[]): void {
  let node = root
  for (const [index, name] of path.entries()) {
    const existing = node.get(name)
    if (existing === true) return
    if (index === path.length - 1) {
      node.set(name, true)
      return
    }
    const child = existing ?? new Map<string, Selection>()
    node.set(name, child)
    node = child
  }
}

/** `urn:…:enterprise:2.0:User:manager.value` → [that urn, 'manager', 'value']; the core schema's URN is dropped. */
function pathOf (text: string, resource: JsonObject, coreSchema: string): string[] {
  if (text === '') return []
  const schemas = [coreSchema, ...Object.keys(resource).filter(key => key.toLowerCase().startsWith('urn:'))]
    .map(urn => urn.toLowerCase())
    .sort((a, b) => b.length - a.length)
  for (const schema of schemas) {
    const isCore = schema === coreSchema.toLowerCase()
    if (text === schema) return isCore ? [] : [schema]
    if (text.startsWith(`${schema}:`)) {
      const names = text.slice(schema.length + 1).split('.')
      return isCore ? names : [schema, ...names]
    }
  }
  // An extension this resource does not have: the schema is everything before the last colon.
  const colon = text.lastIndexOf(':')
  return colon === -1 ? text.split('.') : [text.slice(0, colon), ...text.slice(colon + 1).split('.')]
}

/** Splits at commas outside brackets and quotes: `emails[type eq "a,b"],userName` is two paths. */
function splitList (list: string): string[] {
  const items: string[] = []
  let current = ''
  let depth = 0
  let quoted = false
  for (const character of list) {
    if (character === '"') quoted = !quoted
    else if (!quoted && character === '[') depth++
    else if (!quoted && character === ']') depth = Math.max(0, depth - 1)
    if (character === ',' && depth === 0 && !quoted) {
      items.push(current)
      current = ''
    } else {
      current += character
    }
  }
  items.push(current)
  return items
}

/** `emails[type eq "work"].value` → `emails.value`. */
function withoutValueFilters (item: string): string {
  let result = ''
  let depth = 0
  let quoted = false
  for (const character of item) {
    if (depth > 0 && character === '"') quoted = !quoted
    else if (!quoted && character === '[') depth++
    else if (!quoted && character === ']' && depth > 0) {
      depth--
      continue
    }
    if (depth === 0) result += character
  }
  return result
}

function keep (value: unknown, selection: Map<string, Selection>): JsonObject | undefined {
  if (!isObject(value)) return undefined
  const result: JsonObject = {}
  for (const [key, item] of Object.entries(value)) {
    const selected = selection.get(key.toLowerCase())
    if (selected === undefined) continue
    const kept = selected === true ? item : keepWithin(item, selected)
    if (kept !== undefined) result[key] = kept
  }
  return Object.keys(result).length === 0 ? undefined : result
}

/** Sub-attributes of a complex attribute, or of each element of a multi-valued one. */
function keepWithin (item: unknown, selection: Map<string, Selection>): unknown {
  if (!Array.isArray(item)) return keep(item, selection)
  const elements = item.map(element => keep(element, selection)).filter(element => element !== undefined)
  return elements.length === 0 ? undefined : elements
}

function remove (value: JsonObject, selection: Map<string, Selection>): JsonObject {
  const result: JsonObject = {}
  for (const [key, item] of Object.entries(value)) {
    const selected = selection.get(key.toLowerCase())
    if (selected === true) continue
    const rest = selected === undefined ? item : removeWithin(item, selected)
    if (rest !== undefined) result[key] = rest
  }
  return result
}

function removeWithin (item: unknown, selection: Map<string, Selection>): unknown {
  if (Array.isArray(item)) {
    const elements = item.map(element => removeWithin(element, selection)).filter(element => element !== undefined)
    return elements.length === 0 ? undefined : elements
  }
  if (!isObject(item)) return item
  const rest = remove(item, selection)
  return Object.keys(rest).length === 0 ? undefined : rest
}
