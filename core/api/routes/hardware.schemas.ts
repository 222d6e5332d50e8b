import { ASSIGN_PROPERTIES, HARDWARE_PROPERTIES, HARDWARE_STATUSES, RECOVER_PROPERTIES } from '../../register/index.ts'
import type { ApiListSpec } from '../pagination.ts'
import { listQuery } from '../pagination.ts'
import { apiRoute, body, changeRoute, idParams, listOf, ref, uuid } from '../schemas.ts'

export type HardwareSort = 'asset_tag' | 'name' | 'status' | 'updated_at'

// Each sort is one index range (migrations 001 and 004): (workspace_id, key, id), or for the
// unique asset tag (workspace_id, asset_tag).
export const HARDWARE_LIST: ApiListSpec<HardwareSort> = {
  sorts: {
    asset_tag: { label: 'Asset tag', segments: [{ keys: ['h.asset_tag'], unique: true }] },
    name: { label: 'Name', segments: [{ keys: ['lower(h.name)'] }] },
    status: { label: 'Status', segments: [{ keys: ['h.status'] }] },
    updated_at: { label: 'Updated', defaultDir: 'desc', segments: [{ keys: ['h.updated_at'] }] }
  },
  defaultSort: 'asset_tag'
}

const tags = ['Hardware']
const read = ['hardware:read'] as const
const write = ['hardware:write'] as const

export const listHardware = apiRoute({
  summary: 'List hardware',
  tags,
  abilities: read,
  querystring: listQuery(HARDWARE_LIST, {
    status: { type: 'string', enum: [...HARDWARE_STATUSES] },
    category: { type: 'string', maxLength: 64 },
    manufacturer: { type: 'string', maxLength: 255 },
    assigned_user_id: uuid
  }),
  response: { 200: listOf('Hardware') }
})

export const getHardware = apiRoute({ summary: 'Get hardware', tags, abilities: read, params: idParams, response: { 200: ref('Hardware') } })

export const createHardware = apiRoute({
  summary: 'Register hardware',
  description: 'Only `serial` and `name` are required; without an `asset_tag` the next one of the workspace convention is issued.',
  tags,
  abilities: write,
  body: body(HARDWARE_PROPERTIES, ['serial', 'name']),
  response: { 201: ref('Hardware') }
})

export const updateHardware = changeRoute({
  summary: 'Update hardware',
  description: 'Changes only the fields given. `status` cannot be set to or from `assigned`: use assign and recover.',
  tags,
  abilities: write,
  record: 'Hardware',
  properties: HARDWARE_PROPERTIES
})

export const assignHardware = changeRoute({
  summary: 'Assign hardware to a person', tags, abilities: write, record: 'Hardware', properties: ASSIGN_PROPERTIES, required: ['user_id']
})

export const recoverHardware = changeRoute({
  summary: 'Recover hardware from its holder', tags, abilities: write, record: 'Hardware', properties: RECOVER_PROPERTIES
})
