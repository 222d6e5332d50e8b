import { ValidationError, type ConnectorContext, type PageForm, type PageTools, type PersonRole } from '../../../core/sdk.ts'
import { findGroup, membersOf } from '../groups/store.ts'
import { RANKED_ROLES, applyMappedRoles } from '../groups/roles.ts'
import { showMappingCount } from './mappings.ts'

const ROLE_NAMES: Record<PersonRole, string> = { employee: 'Employee', 'it-admin': 'IT admin', admin: 'Admin', 'super-admin': 'Super admin' }

/**
 * Maps an identity provider group to a role (form: group, role; an empty role removes the
 * mapping), and gives the group's provisioned members the highest role of their mapped groups,
 * all in one transaction. Only a super admin may: a mapping grants roles.
 */
export async function mapGroup (ctx: ConnectorContext, form: PageForm, tools: PageTools): Promise<string> {
  if (tools.user.role !== 'super-admin') {
    throw ValidationError.of('role', 'super_admin_only', 'Only a super admin can map groups to roles, as a mapping grants its role to every member.')
  }
  const role = form.role === '' ? null : form.role as PersonRole
  if (role !== null && !RANKED_ROLES.includes(role)) {
    throw ValidationError.of('role', 'enum', `must be one of ${RANKED_ROLES.join(', ')}, or empty for no role.`)
  }
  const workspaceId = ctx.workspace.id
  const name = await tools.transaction(async tx => {
    const group = await findGroup(tx.db, workspaceId, form.group ?? '', { lock: true })
    if (!group) throw ValidationError.of('group', 'exists', 'This group is no longer provisioned: the identity provider deleted it. Reload the page.')
    await tx.db('scim_groups').where({ workspace_id: workspaceId, id: group.id }).update({ role })
    const members = (await membersOf(tx.db, workspaceId, [group.id])).get(group.id) ?? []
    await applyMappedRoles(tx, workspaceId, members.map(m => m.value))
    return group.display_name
  })
  await showMappingCount(ctx, tools.db)
  return role === null ? `“${name}” no longer maps to a role.` : `“${name}” now maps to ${ROLE_NAMES[role]}: its members have the role.`
}
