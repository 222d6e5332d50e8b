import { FULFIL_PROPERTIES, REJECTION_PROPERTIES, REQUEST_PROPERTIES, REQUEST_STATUSES } from '../../register/index.ts'
import { listQuery, type ApiListSpec } from '../pagination.ts'
import { apiRoute, body, changeRoute, idParams, listOf, ref, uuid } from '../schemas.ts'

// Newest first by asset_requests_created_idx (migration 006).
export const REQUEST_LIST: ApiListSpec<'created_at'> = {
  sorts: { created_at: { label: 'Created', defaultDir: 'desc', segments: [{ keys: ['r.created_at'] }] } },
  defaultSort: 'created_at'
}

const tags = ['Requests']
const read = ['hardware:read'] as const
const write = ['hardware:write'] as const
const NOTE = 'Asset requests are requests for hardware, so they take the hardware abilities.'

export const listRequests = apiRoute({
  summary: 'List asset requests',
  description: NOTE,
  tags,
  abilities: read,
  querystring: listQuery(REQUEST_LIST, { status: { type: 'string', enum: [...REQUEST_STATUSES] }, requester_id: uuid }),
  response: { 200: listOf('AssetRequest') }
})

export const getRequest = apiRoute({ summary: 'Get an asset request', description: NOTE, tags, abilities: read, params: idParams, response: { 200: ref('AssetRequest') } })

export const createRequest = apiRoute({
  summary: 'Create an asset request',
  description: `On behalf of an active person (requester_id). ${NOTE}`,
  tags,
  abilities: write,
  body: body(REQUEST_PROPERTIES, ['requester_id', 'category']),
  response: { 201: ref('AssetRequest') }
})

const decision = (summary: string, description: string, properties: Record<string, unknown>, required: string[] = []) =>
  changeRoute({ summary, description: `${description} ${NOTE}`, tags, abilities: write, record: 'AssetRequest', properties, required })

export const approveRequest = decision('Approve an asset request', 'From created.', {})
export const rejectRequest = decision('Reject an asset request', 'From created or approved, with a reason.', REJECTION_PROPERTIES, ['reason'])
export const fulfilRequest = decision('Fulfil an asset request', 'From approved: assigns the hardware to the requester (the hardware\'s own rules apply).', FULFIL_PROPERTIES, ['hardware_id'])
