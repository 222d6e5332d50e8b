// Microsoft Entra's refusals of a client-credentials token request, in plain words: the AADSTS
// codes of the token endpoint, each with what the admin should fix, for every Microsoft plugin
// (Intune, Entra sign-in, Microsoft 365 seats, Teams). The words name the settings as the
// Microsoft plugins show them (Tenant ID, client ID and secret, the hosts under Advanced: see
// clouds.ts). Microsoft's descriptions may be quoted: it never echoes the client secret, and
// ctx.http and vendorFailures redact it all the same.
import type { FailureRule, VendorFailureDeclaration } from '../../../core/sdk.ts'

/**
 * The AADSTS codes worth their own words. `permission` is the Graph application permission the
 * plugin needs (e.g. DeviceManagementManagedDevices.Read.All), named in the missing-consent advice.
 */
export function aadstsRules<About> (permission: string): Record<number, FailureRule<About>> {
  return {
    7000215: {
      reason: 'auth',
      message: 'Microsoft Entra refused the client secret (AADSTS7000215). Paste the secret\'s Value from Certificates & secrets in the app registration, not its Secret ID.'
    },
    7000222: {
      reason: 'auth',
      message: 'The client secret has expired (AADSTS7000222). Create a new secret under Certificates & secrets in the app registration and paste its Value here.'
    },
    700016: {
      reason: 'auth',
      message: 'Microsoft Entra found no application with this Application (client) ID in the tenant (AADSTS700016). Check the client ID, and that the app is registered in this tenant.'
    },
    90002: {
      reason: 'config',
      message: 'Microsoft Entra does not know this tenant (AADSTS90002). Check the Tenant ID (the Directory (tenant) ID on the Entra Overview page, or a verified domain) and, for a national cloud, the sign-in host under Advanced.'
    },
    65001: {
      reason: 'permission',
      message: `Admin consent is missing (AADSTS65001). In the app registration, under API permissions, add the Microsoft Graph application permission ${permission} and select Grant admin consent.`
    },
    70011: {
      reason: 'config',
      message: 'Microsoft Entra refused the requested scope (AADSTS70011). Check that the Microsoft Graph host under Advanced belongs to the same cloud as the sign-in host.'
    }
  }
}

/** The AADSTS number of a token error: Entra's error_codes, else the "AADSTS…" in its description. */
export function aadstsCode (body: Record<string, unknown>): number | null {
  const codes = body.error_codes
  if (Array.isArray(codes) && typeof codes[0] === 'number') return codes[0]
  const match = /AADSTS(\d+)/.exec(String(body.error_description ?? ''))
  return match === null ? null : Number(match[1])
}

/** The token part of a Microsoft plugin's vendorFailures declaration. */
export function entraTokenFailures<About = undefined> (permission: string): NonNullable<VendorFailureDeclaration<About>['token']> {
  return {
    key: aadstsCode,
    codes: aadstsRules<About>(permission),
    noToken: 'Microsoft Entra answered the token request without an access token.',
    otherwise: {
      reason: 'auth',
      message: f => `Microsoft Entra refused the token request (HTTP ${f.status}${f.detail === '' ? '' : `, ${f.detail}`}). Check the tenant ID, client ID and client secret.`
    }
  }
}
