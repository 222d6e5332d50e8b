// SCIM discovery documents (RFC 7643 §5–7) as pure functions of the tenant's base URL.
export { serviceProviderConfig } from './service-provider-config.ts'
export { resourceType, resourceTypes } from './resource-types.ts'
export { schema, schemas } from './schema-documents.ts'
export type { SchemaAttribute, SchemaDefinition } from './attribute.ts'
