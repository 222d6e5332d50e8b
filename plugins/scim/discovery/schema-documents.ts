import { ScimError } from '../errors.ts'
import type { SchemaDefinition } from './attribute.ts'
import { SCHEMA_SCHEMA } from './discovery-urns.ts'
import { enterpriseUserSchema } from './enterprise-user-schema.ts'
import { groupSchema } from './group-schema.ts'
import { listResponse } from './list-response.ts'
import { meta } from './meta.ts'
import { userSchema } from './user-schema.ts'

const SCHEMAS: readonly SchemaDefinition[] = [userSchema, enterpriseUserSchema, groupSchema]

// A copy each time, so that a caller trimming attributes cannot change the next answer.
function document (baseUrl: string, definition: SchemaDefinition): Record<string, unknown> {
  return {
    schemas: [SCHEMA_SCHEMA],
    ...structuredClone(definition),
    meta: meta('Schema', baseUrl, `Schemas/${definition.id}`)
  }
}

/** GET /Schemas: a ListResponse with the full User, EnterpriseUser and Group definitions. */
export function schemas (baseUrl: string): Record<string, unknown> {
  return listResponse(SCHEMAS.map(definition => document(baseUrl, definition)))
}

/** GET /Schemas/{urn}, the URN matched case-insensitively as the filter and path parsers match it; else 404. */
export function schema (baseUrl: string, urn: string): Record<string, unknown> {
  const definition = SCHEMAS.find(candidate => candidate.id.toLowerCase() === urn.toLowerCase())
  if (definition === undefined) throw new ScimError(404, undefined, `Schema "${urn}" not found`)
  return document(baseUrl, definition)
}
