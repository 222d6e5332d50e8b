// What Microsoft Entra ID adds to the OpenID Connect flow: which discovery document (the tenant's,
// or `organizations` for several tenants), and the checks of the ID token's claims — the tenant
// (`tid`, and the issuer that names it) against the configured one or the allowlist, the address
// (`email`, else `preferred_username`), and the groups for role mapping.
import type { IDToken } from 'openid-client'
import type { SignInFailure, VerifiedIdentity } from '../../core/sdk.ts'
import { DEFAULT_LOGIN_HOST } from '../_shared/microsoft/clouds.ts'
import type { OidcClient } from '../_shared/oidc/configuration.ts'
import { refuse } from '../_shared/oidc/refusals.ts'
import { listOf, roleMappingsOf } from '../_shared/oidc/settings.ts'

export interface EntraSettings {
  tenancy?: 'single' | 'multi'
  tenantId?: string
  allowedTenants?: string
  clientId: string
  clientSecret: string
  loginHost?: string
  roleMappings?: string
  createPeople?: boolean
  defaultRole?: string
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const loginHostOf = (settings: EntraSettings): string => settings.loginHost ?? DEFAULT_LOGIN_HOST
const multi = (settings: EntraSettings): boolean => settings.tenancy === 'multi'

/**
 * The provider: several tenants use the `organizations` issuer (openid-client then expects each
 * token's issuer with its own `tid`, Microsoft's {tenantid} template; only on the global cloud's
 * origin), one tenant its own discovery document, whose issuer names the tenant's GUID even when
 * the setting is a verified domain.
 */
export function entraClient (settings: EntraSettings): OidcClient {
  const host = loginHostOf(settings)
  const server = multi(settings)
    ? `https://${host}/organizations/v2.0`
    : `https://${host}/${encodeURIComponent((settings.tenantId ?? '').trim().toLowerCase())}/v2.0/.well-known/openid-configuration`
  return { server, clientId: settings.clientId.trim(), clientSecret: settings.clientSecret }
}

/** The tenants whose people may sign in: the allowlist, or the one tenant when it is given as a GUID (a domain: the one its issuer names). */
export function allowedTenants (settings: EntraSettings): string[] | null {
  if (multi(settings)) return listOf(settings.allowedTenants)
  const tenant = (settings.tenantId ?? '').trim().toLowerCase()
  return GUID.test(tenant) ? [tenant] : null
}

const text = (value: unknown): string | undefined => typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined

/** The tenant the token is from: its `tid`, which must be the one its issuer names. */
function tenantOf (claims: IDToken, settings: EntraSettings): string | SignInFailure {
  const tid = text(claims.tid)?.toLowerCase()
  const issued = new RegExp(`^https://${loginHostOf(settings).replaceAll('.', '\\.')}/([0-9a-f-]{36})/v2\\.0$`).exec(claims.iss)?.[1]
  if (tid === undefined || issued !== tid) return refuse('wrong_tenant', 'The sign-in token does not name the Microsoft Entra tenant that issued it.')
  const allowed = allowedTenants(settings)
  if (allowed !== null && !allowed.includes(tid)) {
    return refuse('wrong_tenant', 'Accounts of your organization cannot sign in to this workspace. Sign in with an account of the organization that uses it.')
  }
  return tid
}

/** The address: `email` unless Entra says its domain's owner is not verified (xms_edov false), else the UPN in `preferred_username`. */
function addressOf (claims: IDToken): string | undefined {
  const email = claims.xms_edov === false ? undefined : text(claims.email)
  const upn = text(claims.preferred_username)
  return email ?? (upn?.includes('@') === true ? upn : undefined)
}

/** Group object IDs; Entra sends a reference instead (overage) past 200 groups in a token. */
function groupsOf (claims: IDToken): { groups: string[], overage: boolean } {
  const names = claims._claim_names as Record<string, unknown> | undefined
  const overage = names?.groups !== undefined || claims.hasgroups === true
  const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === 'string') : []
  return { groups, overage }
}

export function entraIdentity (claims: IDToken, settings: EntraSettings): { ok: true, identity: VerifiedIdentity } | SignInFailure {
  const tenant = tenantOf(claims, settings)
  if (typeof tenant !== 'string') return tenant
  const email = addressOf(claims)
  if (email === undefined) return refuse('no_email', 'Microsoft did not send an email address for your account. Ask your administrator to give it one (or the email optional claim).')
  const { groups, overage } = groupsOf(claims)
  if (overage && roleMappingsOf(settings.roleMappings).length > 0) {
    return refuse('groups_overage', 'You are in too many groups for Microsoft to list them in the sign-in, so your role cannot be set. Ask your administrator to emit only the groups assigned to the application.')
  }
  return {
    ok: true,
    identity: { email, subject: claims.sub, firstName: text(claims.given_name), lastName: text(claims.family_name), groups }
  }
}
