import { ValidationError, type DirectoryTransaction, type PersonRole } from '../../../core/sdk.ts'

/** The roles a group may map to, lowest first: members get the highest of their mapped groups'. */
export const RANKED_ROLES: PersonRole[] = ['employee', 'it-admin', 'admin', 'super-admin']

/**
 * Gives each of these members the highest role mapped to a group they are in; a member of no
 * mapped group goes back to employee. Values that name no provisioned user are skipped. The last
 * super-admin is never demoted by a group change (the register refuses; the others still apply).
 */
export async function applyMappedRoles (tx: DirectoryTransaction, workspaceId: string, values: string[]): Promise<void> {
  if (values.length === 0) return
  const ranked: Array<{ id: string, rank: number | null }> = await tx.db.raw(`
    SELECT u.id, max(array_position(?::text[], g.role)) AS rank
    FROM scim_users u
    LEFT JOIN scim_group_members m ON m.workspace_id = u.workspace_id AND m.value = u.id::text
    LEFT JOIN scim_groups g ON g.workspace_id = m.workspace_id AND g.id = m.group_id AND g.role IS NOT NULL
    WHERE u.workspace_id = ? AND u.id::text = ANY(?::text[])
    GROUP BY u.id`, [RANKED_ROLES, workspaceId, values]).then(result => result.rows)
  const current = new Map((await tx.people.getMany(ranked.map(member => member.id))).map(person => [person.id, person.role]))
  for (const member of ranked) {
    const role = member.rank === null ? 'employee' : RANKED_ROLES[member.rank - 1]
    if (!current.has(member.id) || role === current.get(member.id)) continue
    try {
      await tx.people.changeRole(member.id, role)
    } catch (err) {
      if (!(err instanceof ValidationError && err.errors.some(e => e.rule === 'last_super_admin'))) throw err
    }
  }
}
