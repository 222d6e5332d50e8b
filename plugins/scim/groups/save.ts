import type { DirectoryTransaction } from '../../../core/sdk.ts'
import type { GroupDocument, MemberRow } from '../resources/index.ts'
import { applyMappedRoles } from './roles.ts'
import { writeGroup, type StoredGroup } from './store.ts'

/**
 * Writes a group document: the group, exactly its members, and — when the group maps to a role —
 * the roles of the members who joined or left. One transaction; a taken displayName is refused
 * by the unique index of scim_groups (409 uniqueness).
 */
export async function saveGroup (tx: DirectoryTransaction, workspaceId: string, current: { group: StoredGroup, members: MemberRow[] } | null, document: GroupDocument): Promise<StoredGroup> {
  const { group, changed } = await writeGroup(tx.db, workspaceId, current, document)
  if (group.role !== null) await applyMappedRoles(tx, workspaceId, changed)
  return group
}
