import { ScimError } from '../errors.ts'
import type { AttributeDefinition, AttributeDefinitions } from './canonical-names.ts'
import { attributePath, isObject, type JsonObject } from './values.ts'

/**
 * Renames the known attributes of `input` (already without unassigned values) to their RFC casing
 * and checks their types; unknown attributes are kept as sent. `parent` prefixes error paths.
 */
export function canonicaliseAttributes (input: JsonObject, definitions: AttributeDefinitions, parent: string): JsonObject {
  const output: JsonObject = {}
  for (const [key, value] of Object.entries(input)) {
    const definition = definitions.get(key.toLowerCase())
    if (definition === undefined) {
      output[key] = value
      continue
    }
    const canonical = canonicaliseValue(value, definition, attributePath(parent, definition.name))
    if (canonical !== undefined) output[definition.name] = canonical
  }
  return output
}

function canonicaliseValue (value: unknown, definition: AttributeDefinition, path: string): unknown {
  if (definition.multiValued === true) {
    // A single value where a list is expected is read as a list of one.
    const items = (Array.isArray(value) ? value : [value])
      .map((item, index) => canonicaliseComplex(item, definition, `${path}[${index}]`))
      .filter(item => item !== undefined)
    return items.length === 0 ? undefined : items
  }
  if (definition.type === 'complex') return canonicaliseComplex(value, definition, path)
  if (definition.type === 'boolean') return toBoolean(value, path)
  return toText(value, path)
}

function canonicaliseComplex (value: unknown, definition: AttributeDefinition, path: string): JsonObject | undefined {
  const subAttributes = definition.subAttributes ?? new Map()
  // A bare string where a {value} is expected ("string id 1" as a member, a manager's id).
  if ((typeof value === 'string' || typeof value === 'number') && subAttributes.has('value')) {
    return { value: toText(value, attributePath(path, 'value')) }
  }
  if (!isObject(value)) throw ScimError.invalidValue(path, 'must be an object')
  const object = canonicaliseAttributes(value, subAttributes, path)
  // An element without its value says nothing: a PATCH that clears emails[type eq "work"].value leaves one.
  if (definition.multiValued === true && subAttributes.has('value') && object.value === undefined) return undefined
  return object
}

/** Booleans, or their spelling as strings in any case: Entra sends "True" and "False". */
export function toBoolean (value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value
  if (typeof value === 'string') {
    const lower = value.toLowerCase()
    if (lower === 'true') return true
    if (lower === 'false') return false
  }
  throw ScimError.invalidValue(path, 'must be true or false')
}

function toText (value: unknown, path: string): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  throw ScimError.invalidValue(path, 'must be a string')
}
