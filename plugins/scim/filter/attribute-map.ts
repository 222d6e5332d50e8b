import type { AttributePath } from './ast.ts'
import type { SqlBinding } from './fragment.ts'

/** The SCIM types a filter can compare (RFC 7643 §2.3). */
export type ScimAttributeType = 'string' | 'boolean' | 'dateTime' | 'integer' | 'decimal' | 'reference'

/**
 * A single value: a SQL expression over the outer row, or, as a sub-attribute of a multi-valued
 * attribute, over one element. The text is trusted SQL written by the caller; it may hold `?`
 * placeholders whose values are `bindings` (write the jsonb `?` operator as `\\?` for knex).
 */
export interface ScalarAttribute {
  sql: string
  type: ScimAttributeType
  /** Compare strings case-sensitively. Default false: `lower(sql)` on both sides, so an index on `lower(column)` serves `eq`. */
  caseExact?: boolean
  bindings?: readonly SqlBinding[]
}

/**
 * A multi-valued attribute (emails, phoneNumbers, addresses, members, schemas), matched through
 * `EXISTS (SELECT 1 FROM <from> WHERE <where> AND <condition on one element>)`. For a jsonb array
 * column: `from: "jsonb_array_elements(coalesce(p.emails, '[]')) AS email"` and sub-attributes
 * such as `email->>'value'`. For a child table: `from: 'scim_members AS m'`,
 * `where: 'm.group_id = g.id'` and sub-attributes such as `m.value`.
 */
export interface MultiValuedAttribute {
  from: string
  where?: string
  /** Keyed by sub-attribute name (any case). `value` is compared when a filter names none (`emails co "x"`). */
  subAttributes: Record<string, ScalarAttribute>
}

export type AttributeMapping = ScalarAttribute | MultiValuedAttribute

/** An attribute name as the map sees it: lower-cased, without the resource's core schema URN. */
export interface ResolvedName {
  schema?: string
  attribute: string
  subAttribute?: string
}

export interface FilterAttributesDefinition {
  /** The resource's core schema, whose URN a filter may write or omit: `urn:ietf:params:scim:schemas:core:2.0:User`. */
  coreSchema: string
  /**
   * Keyed by attribute path in any case: `userName`, `name.familyName`, `emails`,
   * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`,
   * `urn:…:enterprise:2.0:User:manager.value`. Multi-valued attributes are keyed without a sub-attribute.
   */
  attributes: Record<string, AttributeMapping>
  /** Maps an attribute the map lacks, or returns undefined to reject it (see keptAttributes). */
  unknownAttribute?: (name: ResolvedName) => AttributeMapping | undefined
}

/** A validated, normalised attribute map; define it once per resource type and reuse it. */
export interface FilterAttributes {
  readonly coreSchema: string
  readonly attributes: ReadonlyMap<string, AttributeMapping>
  readonly unknownAttribute?: (name: ResolvedName) => AttributeMapping | undefined
}

export function isMultiValued (mapping: AttributeMapping): mapping is MultiValuedAttribute {
  return 'subAttributes' in mapping
}

export function defineFilterAttributes (definition: FilterAttributesDefinition): FilterAttributes {
  const attributes = new Map<string, AttributeMapping>()
  for (const [key, mapping] of Object.entries(definition.attributes)) {
    const name = key.toLowerCase()
    if (attributes.has(name)) throw new Error(`filter attribute map: "${key}" is listed twice (names are case-insensitive)`)
    if (isMultiValued(mapping) && subAttributePart(name) !== undefined) {
      throw new Error(`filter attribute map: multi-valued "${key}" must be keyed without a sub-attribute`)
    }
    attributes.set(name, normalise(mapping))
  }
  return { coreSchema: definition.coreSchema.toLowerCase(), attributes, unknownAttribute: definition.unknownAttribute }
}

/** Lower-cases a written path and drops the core schema URN. */
export function resolveName (path: AttributePath, map: FilterAttributes): ResolvedName {
  const schema = path.schema?.toLowerCase()
  const name: ResolvedName = { attribute: path.attribute.toLowerCase() }
  if (schema !== undefined && schema !== map.coreSchema) name.schema = schema
  if (path.subAttribute !== undefined) name.subAttribute = path.subAttribute.toLowerCase()
  return name
}

/** The mapping of a resolved name, from the map or else from `unknownAttribute`. */
export function lookUp (name: ResolvedName, map: FilterAttributes): AttributeMapping | undefined {
  const key = (name.schema === undefined ? '' : `${name.schema}:`) + name.attribute + (name.subAttribute === undefined ? '' : `.${name.subAttribute}`)
  const mapped = map.attributes.get(key)
  if (mapped !== undefined) return mapped
  const resolved = map.unknownAttribute?.(name)
  return resolved === undefined ? undefined : normalise(resolved)
}

/** A sub-attribute by lower-cased name; own keys only, so `toString` is not one. */
export function subAttributeOf (multi: MultiValuedAttribute, name: string): ScalarAttribute | undefined {
  return Object.hasOwn(multi.subAttributes, name) ? multi.subAttributes[name] : undefined
}

/** Sub-attribute names lower-cased, as lookups expect. */
function normalise (mapping: AttributeMapping): AttributeMapping {
  if (!isMultiValued(mapping)) return mapping
  const subAttributes: Record<string, ScalarAttribute> = {}
  for (const [sub, scalar] of Object.entries(mapping.subAttributes)) subAttributes[sub.toLowerCase()] = scalar
  return { ...mapping, subAttributes }
}

function subAttributePart (key: string): string | undefined {
  const dot = key.indexOf('.', key.lastIndexOf(':') + 1)
  return dot === -1 ? undefined : key.slice(dot + 1)
}
