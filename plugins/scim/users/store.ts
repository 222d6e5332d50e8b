import type { Knex } from 'knex'
import { listPage, type ListWindow } from '../http/list-page.ts'
import type { UserDocument } from '../resources/index.ts'

export interface StoredUser {
  id: string
  user_name: string
  external_id: string | null
  active: boolean
  document: UserDocument
  version: number
  created_at: Date
  updated_at: Date
}

const COLUMNS = ['u.id', 'u.user_name', 'u.external_id', 'u.active', 'u.document', 'u.version', 'u.created_at', 'u.updated_at']
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Ids are UUIDs; anything else names no user (404, never a failed cast). */
export const isScimId = (id: string): boolean => UUID.test(id)

export const users = (db: Knex, workspaceId: string) => db({ u: 'scim_users' }).where('u.workspace_id', workspaceId)

export async function findUser (db: Knex, workspaceId: string, id: string, options: { lock?: boolean } = {}): Promise<StoredUser | undefined> {
  if (!isScimId(id)) return undefined
  const query = users(db, workspaceId).select(COLUMNS).where('u.id', id).first()
  return await (options.lock ? query.forUpdate() : query)
}

export async function isLinked (db: Knex, workspaceId: string, personId: string): Promise<boolean> {
  return (await users(db, workspaceId).select('u.id').where('u.id', personId).first()) !== undefined
}

function columnsOf (document: UserDocument) {
  return { user_name: document.userName, external_id: document.externalId ?? null, active: document.active, document: JSON.stringify(document) }
}

export async function insertUser (trx: Knex.Transaction, workspaceId: string, id: string, document: UserDocument): Promise<StoredUser> {
  const [row] = await trx({ u: 'scim_users' }).insert({ workspace_id: workspaceId, id, ...columnsOf(document) }).returning(COLUMNS.map(c => c.slice(2)))
  return row
}

export async function updateUser (trx: Knex.Transaction, workspaceId: string, id: string, document: UserDocument): Promise<StoredUser> {
  const [row] = await trx('scim_users').where({ workspace_id: workspaceId, id })
    .update({ ...columnsOf(document), version: trx.raw('version + 1'), updated_at: trx.fn.now() })
    .returning(COLUMNS.map(c => c.slice(2)))
  return row
}

export async function deleteUser (trx: Knex.Transaction, workspaceId: string, id: string): Promise<void> {
  await trx('scim_users').where({ workspace_id: workspaceId, id }).delete()
}

/** One page of the workspace's users, with the total the filter matches. */
export async function listUsers (db: Knex, workspaceId: string, window: ListWindow): Promise<{ total: number, rows: StoredUser[] }> {
  return await listPage<StoredUser>(db, () => users(db, workspaceId), 'u', COLUMNS, window)
}
