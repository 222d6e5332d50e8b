import type { ResolvedName, ScalarAttribute } from './attribute-map.ts'

export interface KeptAttributesOptions {
  /** A jsonb column holding `{ "<schema urn>": { "<attribute>": value or { "<sub>": value } } }` with lower-cased keys. */
  column: string
  /** Extension schema URNs whose unmapped attributes live in `column`. */
  schemas: string[]
}

/**
 * An `unknownAttribute` resolver for attributes of known extension schemas that have no column
 * of their own but are kept in a jsonb column: they compare as case-insensitive strings. The
 * names are bound, never written into the SQL. Keys must be stored lower-cased (SCIM names are
 * case-insensitive, jsonb keys are not).
 */
export function keptAttributes (options: KeptAttributesOptions): (name: ResolvedName) => ScalarAttribute | undefined {
  const schemas = new Set(options.schemas.map(schema => schema.toLowerCase()))
  return name => {
    if (name.schema === undefined || !schemas.has(name.schema)) return undefined
    const keys = name.subAttribute === undefined ? [name.schema, name.attribute] : [name.schema, name.attribute, name.subAttribute]
    return {
      sql: `jsonb_extract_path_text(${options.column}, ${keys.map(() => '?').join(', ')})`,
      bindings: keys,
      type: 'string',
      caseExact: false
    }
  }
}
