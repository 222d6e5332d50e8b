export const ROLES = ['super-admin', 'admin', 'it-admin', 'employee'] as const
export type Role = typeof ROLES[number]

/** Roles that reach Settings and the admin pages. */
export const ADMIN_ROLES: readonly Role[] = ['super-admin', 'admin', 'it-admin']
/** Workspace settings and role changes. */
export const OWNER_ROLES: readonly Role[] = ['super-admin']
