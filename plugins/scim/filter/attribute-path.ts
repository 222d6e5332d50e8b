import type { AttributePath } from './ast.ts'
import type { SyntaxErrorClass } from './errors.ts'

/** ATTRNAME of RFC 7644 (ALPHA *(ALPHA / DIGIT / "-" / "_")), plus a leading "$" for `$ref`. */
const ATTRIBUTE_NAME = /^\$?[A-Za-z][A-Za-z0-9_-]*$/
const SCHEMA_URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]*:\S+$/i

/**
 * Reads `[schemaURN ":"] name ["." subName]`. The schema is everything before the last colon, so
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value` is the enterprise
 * schema, `manager`, `value`.
 */
export function readAttributePath (text: string, position: number, ErrorClass: SyntaxErrorClass): AttributePath {
  const colon = text.lastIndexOf(':')
  const schema = colon === -1 ? undefined : text.slice(0, colon)
  if (schema !== undefined && !SCHEMA_URN.test(schema)) {
    throw new ErrorClass(`expected an attribute name at position ${position}, found "${clip(text)}" (a prefix ending in ":" must be a schema URN such as urn:ietf:params:scim:schemas:core:2.0:User)`, position)
  }
  const names = text.slice(colon + 1).split('.')
  const namesAt = position + colon + 1
  if (names.length > 2) {
    throw new ErrorClass(`attribute path "${clip(text)}" at position ${position} has more than one sub-attribute (expected name or name.subAttribute)`, position)
  }
  const [attribute, subAttribute] = names
  checkName(attribute, namesAt, text, ErrorClass)
  if (subAttribute === undefined) return schema === undefined ? { attribute } : { schema, attribute }
  checkName(subAttribute, namesAt + attribute.length + 1, text, ErrorClass)
  return schema === undefined ? { attribute, subAttribute } : { schema, attribute, subAttribute }
}

export function checkName (name: string, position: number, text: string, ErrorClass: SyntaxErrorClass): void {
  if (!ATTRIBUTE_NAME.test(name)) {
    throw new ErrorClass(`expected an attribute name (a letter, then letters, digits, "-" or "_") at position ${position}, found "${clip(name || text)}"`, position)
  }
}

/** The path as a filter writes it. */
export function formatAttributePath (path: AttributePath): string {
  const name = path.subAttribute === undefined ? path.attribute : `${path.attribute}.${path.subAttribute}`
  return path.schema === undefined ? name : `${path.schema}:${name}`
}

/** Input echoed in a message, cut short. */
export function clip (text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}
