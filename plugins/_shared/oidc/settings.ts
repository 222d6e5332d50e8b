// The sign-in settings both OIDC plugins share, read from their saved (schema-checked) strings:
// lists typed one per line or separated by commas, role mappings as `group = role` lines, and the
// policy the core applies (just-in-time creation, role mappings, default role).
import type { PersonRole, SignInPolicy } from '../../../core/sdk.ts'

const ROLES: readonly PersonRole[] = ['super-admin', 'admin', 'it-admin', 'employee']

/** The entries of a list setting, lowercased and once each. */
export function listOf (text: unknown): string[] {
  if (typeof text !== 'string') return []
  return [...new Set(text.split(/[\s,;]+/).map(entry => entry.trim().toLowerCase()).filter(entry => entry !== ''))]
}

/** `group = role` lines (blank lines and lines starting with # skipped); the schema has checked their shape. */
export function roleMappingsOf (text: unknown): SignInPolicy['roleMappings'] {
  if (typeof text !== 'string') return []
  return text.split(/\r?\n/).map(line => line.trim()).filter(line => line !== '' && !line.startsWith('#')).flatMap(line => {
    const at = line.lastIndexOf('=')
    const group = line.slice(0, at).trim()
    const role = line.slice(at + 1).trim().toLowerCase() as PersonRole
    return at > 0 && group !== '' && ROLES.includes(role) ? [{ group, role }] : []
  })
}

export interface PolicySettings { createPeople?: boolean, defaultRole?: string, roleMappings?: string }

export function policyOf (settings: PolicySettings): SignInPolicy {
  const role = settings.defaultRole as PersonRole
  return {
    createPeople: settings.createPeople === true,
    roleMappings: roleMappingsOf(settings.roleMappings),
    defaultRole: ROLES.includes(role) ? role : 'employee'
  }
}
