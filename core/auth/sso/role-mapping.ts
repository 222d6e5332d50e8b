// Role mapping (SignInPolicy): the highest role any of the person's groups maps to, the default
// when none is mapped; null when the policy maps nothing (roles are left as they are).
import type { SignInPolicy } from '../../sdk/sign-in.ts'
import { ROLES, type Role } from '../roles.ts'

/** Most powerful first (roles.ts declares them so). */
const rank = (role: Role): number => ROLES.length - ROLES.indexOf(role)

export function mappedRole (policy: Pick<SignInPolicy, 'roleMappings' | 'defaultRole'>, groups: readonly string[]): Role | null {
  if (policy.roleMappings.length === 0) return null
  const held = new Set(groups)
  let best: Role | null = null
  for (const { group, role } of policy.roleMappings) {
    if (held.has(group) && ROLES.includes(role) && (best === null || rank(role) > rank(best))) best = role
  }
  return best ?? policy.defaultRole
}
