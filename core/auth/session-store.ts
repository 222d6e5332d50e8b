import type { Knex } from 'knex'

/**
 * Page sessions as rows: the cookie's JWT names one, and it counts only while its row exists and
 * has not expired (findUserForSession in users.ts reads both in one query).
 */

/** Starts a session and, in the same statement, deletes the workspace's expired ones. */
export async function createSession (db: Knex, workspaceId: string, userId: string, hours: number): Promise<string> {
  const { rows } = await db.raw(`
    WITH pruned AS (DELETE FROM sessions WHERE workspace_id = ? AND expires_at <= now())
    INSERT INTO sessions (workspace_id, user_id, expires_at) VALUES (?, ?, now() + make_interval(hours => ?))
    RETURNING id`, [workspaceId, workspaceId, userId, hours])
  return rows[0].id
}

/** Ends one session (sign-out); the user's other browsers stay signed in. */
export async function deleteSession (db: Knex, workspaceId: string, sessionId: string): Promise<void> {
  await db('sessions').where({ workspace_id: workspaceId, id: sessionId }).del()
}

/** Ends every session of a user (their password was set). */
export async function deleteUserSessions (db: Knex | Knex.Transaction, workspaceId: string, userId: string): Promise<void> {
  await db('sessions').where({ workspace_id: workspaceId, user_id: userId }).del()
}
