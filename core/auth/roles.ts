export const ROLES = ['super-admin', 'admin', 'it-admin', 'employee'] as const
export type Role = typeof ROLES[number]

/** Roles that reach Settings and the admin pages. */
export const ADMIN_ROLES: readonly Role[] = ['super-admin', 'admin', 'it-admin']
/** Workspace settings and role changes. */
export const OWNER_ROLES: readonly Role[] = ['super-admin']

// Admin and IT admin have the same powers, so they share a rank.
const RANK: Record<Role, number> = { 'super-admin': 3, admin: 2, 'it-admin': 2, employee: 1 }

/** Whether someone with role `minter` may hand out a credential acting as someone with role `holder`. */
export function mayActAs (minter: Role, holder: Role): boolean {
  return RANK[holder] <= RANK[minter]
}
