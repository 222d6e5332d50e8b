import { SOFTWARE_PROPERTIES } from '../../register/index.ts'
import { listQuery, type ApiListSpec } from '../pagination.ts'
import { apiRoute, body, changeRoute, idParams, listOf, ref } from '../schemas.ts'

export type SoftwareSort = 'name' | 'updated_at'

// Name order is software_workspace_name_key (migration 001).
export const SOFTWARE_LIST: ApiListSpec<SoftwareSort> = {
  sorts: {
    name: { label: 'Name', segments: [{ keys: ['lower(s.name)'] }] },
    updated_at: { label: 'Updated', defaultDir: 'desc', segments: [{ keys: ['s.updated_at'] }] }
  },
  defaultSort: 'name'
}

const tags = ['Software']
const read = ['software:read'] as const
const write = ['software:write'] as const

export const listSoftware = apiRoute({
  summary: 'List software',
  tags,
  abilities: read,
  querystring: listQuery(SOFTWARE_LIST, { vendor: { type: 'string', maxLength: 255 } }),
  response: { 200: listOf('Software') }
})

export const getSoftware = apiRoute({ summary: 'Get software', tags, abilities: read, params: idParams, response: { 200: ref('Software') } })

export const createSoftware = apiRoute({
  summary: 'Add software',
  tags,
  abilities: write,
  body: body(SOFTWARE_PROPERTIES, ['name']),
  response: { 201: ref('Software') }
})

export const updateSoftware = changeRoute({
  summary: 'Update software', description: 'Changes only the fields given.', tags, abilities: write, record: 'Software', properties: SOFTWARE_PROPERTIES
})
