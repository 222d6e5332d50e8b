import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../schemas.ts'
import { RESOURCE_TYPE_SCHEMA } from './discovery-urns.ts'
import { catalogue } from './catalogue.ts'

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

const RESOURCE_TYPE_DOCUMENTS = catalogue({ schema: RESOURCE_TYPE_SCHEMA, resourceType: 'ResourceType', path: 'ResourceTypes', noun: 'Resource type' }, RESOURCE_TYPES)

/** GET /ResourceTypes: a ListResponse, User first then Group; User lists the enterprise extension. */
export const resourceTypes = (baseUrl: string) => RESOURCE_TYPE_DOCUMENTS.all(baseUrl)

/** GET /ResourceTypes/{name}, the name matched case-insensitively like the resource paths; else 404. */
export const resourceType = (baseUrl: string, name: string) => RESOURCE_TYPE_DOCUMENTS.one(baseUrl, name)
