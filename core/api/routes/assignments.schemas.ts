import { SEAT_PROPERTIES } from '../../register/index.ts'
import { listQuery, type ApiListSpec } from '../pagination.ts'
import { apiRoute, body, idParams, listOf, ref, uuid } from '../schemas.ts'

export const ASSIGNMENT_LIST: ApiListSpec<'assigned_at'> = {
  sorts: { assigned_at: { label: 'Assigned', segments: [{ keys: ['sa.assigned_at'] }] } },
  defaultSort: 'assigned_at'
}

const tags = ['Assignments']
const read = ['software:read'] as const
const write = ['software:write'] as const

export const listAssignments = apiRoute({
  summary: 'List seat assignments',
  description: 'Active seats, of one title or one person when asked; `include_revoked=true` adds revoked ones.',
  tags,
  abilities: read,
  querystring: listQuery(ASSIGNMENT_LIST, {
    software_id: uuid,
    user_id: uuid,
    include_revoked: { type: 'boolean', default: false }
  }),
  response: { 200: listOf('Assignment') }
})

export const getAssignment = apiRoute({ summary: 'Get a seat assignment', tags, abilities: read, params: idParams, response: { 200: ref('Assignment') } })

export const createAssignment = apiRoute({
  summary: 'Assign a seat',
  description: 'Give a seat of `software_id` to a person (`user_id`) or an outside address (`external_email`): one of the two. A holder has at most one active seat of a title.',
  tags,
  abilities: write,
  body: body({ software_id: uuid, ...SEAT_PROPERTIES }, ['software_id']),
  response: { 201: ref('Assignment') }
})

const revoke = { tags, abilities: write, params: idParams, response: { 200: ref('Assignment') } }
export const deleteAssignment = apiRoute({ summary: 'Revoke a seat', description: 'The seat is kept, with `revoked_at` set.', ...revoke })
export const revokeAssignment = apiRoute({ summary: 'Revoke a seat (POST form)', description: 'The same as DELETE, for clients that cannot send DELETE.', ...revoke })
