// "Require single sign-on" (workspaces.require_sso): password and one-time-link sign-in are for
// super-admins only (break-glass, audited as such); everyone else signs in with the workspace's
// identity provider, so its MFA and conditional access cannot be bypassed with a password.
import type { Role } from '../roles.ts'

export type PasswordPathVerdict = 'allowed' | 'break_glass' | 'sso_required'

export function passwordPathVerdict (workspace: { require_sso: boolean }, role: Role): PasswordPathVerdict {
  if (!workspace.require_sso) return 'allowed'
  return role === 'super-admin' ? 'break_glass' : 'sso_required'
}

export const SSO_REQUIRED_MESSAGE = 'This workspace requires single sign-on: sign in with one of the buttons on the sign-in page. Only super-admins may sign in with a password or a sign-in link.'
