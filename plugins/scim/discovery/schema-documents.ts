import type { SchemaDefinition } from './attribute.ts'
import { SCHEMA_SCHEMA } from './discovery-urns.ts'
import { enterpriseUserSchema } from './enterprise-user-schema.ts'
import { groupSchema } from './group-schema.ts'
import { catalogue } from './catalogue.ts'
import { userSchema } from './user-schema.ts'

const SCHEMAS: readonly SchemaDefinition[] = [userSchema, enterpriseUserSchema, groupSchema]

const SCHEMA_DOCUMENTS = catalogue({ schema: SCHEMA_SCHEMA, resourceType: 'Schema', path: 'Schemas', noun: 'Schema' }, SCHEMAS)

/** GET /Schemas: a ListResponse with the full User, EnterpriseUser and Group definitions. */
export const schemas = (baseUrl: string) => SCHEMA_DOCUMENTS.all(baseUrl)

/** GET /Schemas/{urn}, the URN matched case-insensitively as the filter and path parsers match it; else 404. */
export const schema = (baseUrl: string, urn: string) => SCHEMA_DOCUMENTS.one(baseUrl, urn)
