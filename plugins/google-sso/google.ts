// What Google Workspace SSO adds to the OpenID Connect flow: Google's issuer and client, the `hd`
// hint, and the checks Google documents for the ID token's claims — `hd` (the Workspace's primary
// domain; absent for personal accounts) against the workspace's allowlist, because the `hd`
// request parameter is only a hint a person can remove, and `email_verified` true.
import type { SignInFailure, VerifiedIdentity } from '../../core/sdk.ts'
import type { IDToken } from 'openid-client'
import type { OidcClient } from '../_shared/oidc/configuration.ts'
import { refuse, type ProviderWords } from '../_shared/oidc/refusals.ts'
import { listOf } from '../_shared/oidc/settings.ts'

export interface GoogleSettings {
  clientId: string
  clientSecret: string
  allowedDomains: string
  createPeople?: boolean
  defaultRole?: string
}

export const GOOGLE_ISSUER = 'https://accounts.google.com'
export const GOOGLE: ProviderWords = { name: 'Google' }

export const googleClient = (settings: GoogleSettings): OidcClient =>
  ({ server: GOOGLE_ISSUER, clientId: settings.clientId.trim(), clientSecret: settings.clientSecret })

/** The `hd` parameter: the one domain, or `*` (any Workspace account) when several are allowed. */
export function hdHint (settings: GoogleSettings): string {
  const domains = listOf(settings.allowedDomains)
  return domains.length === 1 ? domains[0] : '*'
}

const text = (value: unknown): string | undefined => typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined

export function googleIdentity (claims: IDToken, allowedDomains: string[]): { ok: true, identity: VerifiedIdentity } | SignInFailure {
  const hd = text(claims.hd)?.toLowerCase()
  if (hd === undefined) {
    return refuse('not_workspace_account', 'This is a personal Google account. Sign in with your organization\'s Google Workspace account.')
  }
  if (!allowedDomains.includes(hd)) {
    return refuse('wrong_domain', `Google Workspace accounts of ${hd} cannot sign in to this workspace. Sign in with an account of ${allowedDomains.join(', ')}.`)
  }
  const email = text(claims.email)
  if (email === undefined) return refuse('no_email', 'Google did not send your email address. Try again, and allow Stocktake to see your email address.')
  if (claims.email_verified !== true) return refuse('email_not_verified', `Google has not verified the address ${email}. Verify it at Google, then sign in again.`)
  return {
    ok: true,
    identity: { email, subject: claims.sub, firstName: text(claims.given_name), lastName: text(claims.family_name), groups: [] }
  }
}
