import type { Knex } from 'knex'
import type { Role } from './roles.ts'

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

export async function findUserForSession (db: Knex, workspaceId: string, userId: string, issuedAt: Date): Promise<SessionUser | undefined> {
  return await db('users').select(COLUMNS)
    .where({ workspace_id: workspaceId, id: userId, status: 'active' })
    .where('sessions_valid_after', '<=', issuedAt)
    .first()
}

export async function findUserByEmail (db: Knex, workspaceId: string, email: string): Promise<(SessionUser & { password_hash: string | null }) | undefined> {
  return await db('users').select([...COLUMNS, 'password_hash'])
    .where({ workspace_id: workspaceId }).whereRaw('lower(email) = lower(?)', [email])
    .first()
}

/**
 * Credentials are not register data, so auth writes them itself. Setting one ends every session
 * issued before this second (JWT issue times have whole-second precision).
 */
export async function setPasswordHash (db: Knex | Knex.Transaction, workspaceId: string, userId: string, hash: string): Promise<void> {
  await db('users').where({ workspace_id: workspaceId, id: userId })
    .update({ password_hash: hash, sessions_valid_after: db.raw('date_trunc(\'second\', now())') })
}

export function displayName (user: Pick<SessionUser, 'first_name' | 'last_name' | 'email'>): string {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ')
  return name || user.email
}
