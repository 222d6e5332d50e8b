import type { DirectoryTransaction } from '../../../core/sdk.ts'
import type { GroupDocument, MemberRow } from '../resources/index.ts'
import { applyMappedRoles } from './roles.ts'
import { insertGroup, setMembers, updateGroup, type StoredGroup } from './store.ts'

/**
 * Writes a group document: the group, exactly its members, and — when the group maps to a role —
 * the roles of the members who joined or left. One transaction; a taken displayName is refused
 * by the unique index of scim_groups (409 uniqueness).
 */
export async function saveGroup (tx: DirectoryTransaction, workspaceId: string, current: { group: StoredGroup, members: MemberRow[] } | null, document: GroupDocument): Promise<StoredGroup> {
  const group = current ? await updateGroup(tx.db, workspaceId, current.group.id, document) : await insertGroup(tx.db, workspaceId, document)
  const changed = await setMembers(tx.db, workspaceId, group.id, current?.members ?? [], document.members)
  if (group.role !== null) await applyMappedRoles(tx, workspaceId, changed)
  return group
}
