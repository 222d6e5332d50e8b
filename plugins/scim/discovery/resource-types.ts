import { ScimError } from '../errors.ts'
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../schemas.ts'
import { RESOURCE_TYPE_SCHEMA } from './discovery-urns.ts'
import { listResponse } from './list-response.ts'
import { meta } from './meta.ts'

type ResourceTypeDefinition = {
  id: string
  name: string
  description: string
  endpoint: string
  schema: string
  schemaExtensions?: Array<{ schema: string, required: boolean }>
}

// User first: Microsoft's collection asserts Resources[0].endpoint == "/Users".
const RESOURCE_TYPES: readonly ResourceTypeDefinition[] = [
  {
    id: 'User',
    name: 'User',
    description: 'User Account',
    endpoint: '/Users',
    schema: USER_SCHEMA,
    schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }]
  },
  { id: 'Group', name: 'Group', description: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA }
]

function document (baseUrl: string, definition: ResourceTypeDefinition): Record<string, unknown> {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    ...structuredClone(definition),
    meta: meta('ResourceType', baseUrl, `ResourceTypes/${definition.id}`)
  }
}

/** GET /ResourceTypes: a ListResponse, User first then Group; User lists the enterprise extension. */
export function resourceTypes (baseUrl: string): Record<string, unknown> {
  return listResponse(RESOURCE_TYPES.map(definition => document(baseUrl, definition)))
}

/** GET /ResourceTypes/{name}, the name matched case-insensitively like the resource paths; else 404. */
export function resourceType (baseUrl: string, name: string): Record<string, unknown> {
  const definition = RESOURCE_TYPES.find(type => type.id.toLowerCase() === name.toLowerCase())
  if (definition === undefined) throw new ScimError(404, undefined, `Resource type "${name}" not found`)
  return document(baseUrl, definition)
}
