import type { Knex } from 'knex'
import type { Role } from './roles.ts'
import { deleteUserSessions } from './session-store.ts'

export interface SessionUser {
  id: string
  workspace_id: string
  email: string
  first_name: string | null
  last_name: string | null
  role: Role
  status: 'active' | 'inactive' | 'offboarded'
}

const COLUMNS = ['id', 'workspace_id', 'email', 'first_name', 'last_name', 'role', 'status']

/** The active user of a session that exists and has not expired: one query on every page request. */
export async function findUserForSession (db: Knex, workspaceId: string, userId: string, sessionId: string): Promise<SessionUser | undefined> {
  return await db('users as u').select(COLUMNS.map(c => `u.${c}`))
    .join('sessions as s', join => join.on('s.workspace_id', 'u.workspace_id').andOn('s.user_id', 'u.id'))
    .where({ 's.workspace_id': workspaceId, 's.id': sessionId, 'u.id': userId, 'u.status': 'active' })
    .where('s.expires_at', '>', db.fn.now())
    .first()
}

export async function findUserByEmail (db: Knex, workspaceId: string, email: string): Promise<(SessionUser & { password_hash: string | null }) | undefined> {
  return await db('users').select([...COLUMNS, 'password_hash'])
    .where({ workspace_id: workspaceId }).whereRaw('lower(email) = lower(?)', [email])
    .first()
}

/** Credentials are not register data, so auth writes them itself. Setting one ends every session of the user. */
export async function setPasswordHash (db: Knex | Knex.Transaction, workspaceId: string, userId: string, hash: string): Promise<void> {
  await db('users').where({ workspace_id: workspaceId, id: userId }).update({ password_hash: hash })
  await deleteUserSessions(db, workspaceId, userId)
}

export function displayName (user: Pick<SessionUser, 'first_name' | 'last_name' | 'email'>): string {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ')
  return name || user.email
}
