import { PERSON_PROPERTIES, PERSON_STATUSES } from '../../register/index.ts'
import { listQuery, type ApiListSpec } from '../pagination.ts'
import { apiRoute, body, changeRoute, idParams, listOf, ref } from '../schemas.ts'

export type UserSort = 'name' | 'email' | 'updated_at'

// Name order is users_sort_name_idx (migration 004); email is users_workspace_email_key.
export const USER_LIST: ApiListSpec<UserSort> = {
  sorts: {
    name: { label: 'Name', segments: [{ keys: ["lower(coalesce(p.last_name, ''))", "lower(coalesce(p.first_name, ''))", 'lower(p.email)'] }] },
    email: { label: 'Email', segments: [{ keys: ['lower(p.email)'] }] },
    updated_at: { label: 'Updated', defaultDir: 'desc', segments: [{ keys: ['p.updated_at'] }] }
  },
  defaultSort: 'name'
}

const tags = ['Users']
const read = ['users:read'] as const
const write = ['users:write'] as const
const ROLE_NOTE = 'Roles are not set through the API (a token must not grant sign-in privileges): new people are employees, and a super admin changes roles in Settings.'

export const listUsers = apiRoute({
  summary: 'List people',
  tags,
  abilities: read,
  querystring: listQuery(USER_LIST, {
    status: { type: 'string', enum: [...PERSON_STATUSES] },
    department: { type: 'string', maxLength: 255 },
    email: { type: 'string', maxLength: 320, description: 'Exact email address (any case).' }
  }),
  response: { 200: listOf('User') }
})

export const getUser = apiRoute({ summary: 'Get a person', tags, abilities: read, params: idParams, response: { 200: ref('User') } })

export const createUser = apiRoute({
  summary: 'Add a person',
  description: ROLE_NOTE,
  tags,
  abilities: write,
  body: body(PERSON_PROPERTIES, ['email']),
  response: { 201: ref('User') }
})

export const updateUser = changeRoute({
  summary: 'Update a person',
  description: `Changes only the fields given. ${ROLE_NOTE}`,
  tags,
  abilities: write,
  record: 'User',
  properties: PERSON_PROPERTIES
})

export const offboardUser = changeRoute({
  summary: 'Offboard a person',
  description: 'Marks the person offboarded (end date today unless set) and answers with what they still hold, to recover. Offboarding twice changes nothing.',
  tags,
  abilities: write,
  record: 'Offboarding',
  properties: {}
})
