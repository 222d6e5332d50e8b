// What the engine knows about attributes without reading the schemas: enough to tell a
// multi-valued attribute that is still absent from a single-valued one, and where an extension
// attribute written without its URN belongs.
import { ENTERPRISE_SCHEMA } from '../schemas.ts'
import { sameName } from './names.ts'

/** Multi-valued complex attributes of RFC 7643's User and Group (lower-cased). */
const COMPLEX_MULTI_VALUED = new Set([
  'emails', 'phonenumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles', 'x509certificates', 'members'
])
/** Multi-valued attributes of simple values. */
const SIMPLE_MULTI_VALUED = new Set(['schemas'])

/** The attributes of extensions this server knows, so that Entra's bare `manager` finds its extension. */
const EXTENSION_ATTRIBUTES = new Map<string, string[]>([
  [ENTERPRISE_SCHEMA.toLowerCase(), ['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager']]
])

/** Whether the attribute holds a list: a known multi-valued core attribute, or one already stored as an array. */
export function isMultiValued (scope: string | undefined, attribute: string, existing: unknown): boolean {
  if (scope !== undefined) return !isKnownExtensionAttribute(scope, attribute) && Array.isArray(existing)
  const name = attribute.toLowerCase()
  return COMPLEX_MULTI_VALUED.has(name) || SIMPLE_MULTI_VALUED.has(name) || Array.isArray(existing)
}

/** A multi-valued attribute whose elements are objects with a `value` (so a bare string is its value). */
export function isComplexMultiValued (scope: string | undefined, attribute: string): boolean {
  return scope === undefined && COMPLEX_MULTI_VALUED.has(attribute.toLowerCase())
}

export function isKnownExtensionAttribute (extension: string, attribute: string): boolean {
  return EXTENSION_ATTRIBUTES.get(extension.toLowerCase())?.some(name => sameName(name, attribute)) ?? false
}

/**
 * Whether a sub-attribute of `attribute` compares case-exactly: a member's `value` is a resource
 * id, and `$ref` is a URI (RFC 7643 §7, caseExact true); every other string ignores case.
 */
export function isCaseExactSubAttribute (attribute: string, subAttribute: string): boolean {
  const sub = subAttribute.toLowerCase()
  return sub === '$ref' || (sameName(attribute, 'members') && sub === 'value')
}

/** Attributes a PATCH may never write (RFC 7643 §3.1: readOnly, assigned by the server). */
export function isServerAssigned (attribute: string): boolean {
  return sameName(attribute, 'id') || sameName(attribute, 'meta')
}
