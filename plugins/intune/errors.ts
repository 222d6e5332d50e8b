// Microsoft's refusals in plain words: the AADSTS codes of the token endpoint (ctx.http's
// OAuth2TokenError) and Graph's error codes, each with what the admin should fix. Their
// descriptions may be quoted: Microsoft never echoes the client secret, and ctx.http redacts it
// from a token error's body all the same.
import { ConnectorError, HttpStatusError, OAuth2TokenError, type FailureReason } from '../../core/sdk.ts'

const PERMISSION = 'DeviceManagementManagedDevices.Read.All'

const AADSTS: Record<number, { reason: FailureReason, message: string }> = {
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
    message: `Admin consent is missing (AADSTS65001). In the app registration, under API permissions, add the Microsoft Graph application permission ${PERMISSION} and select Grant admin consent.`
  },
  70011: {
    reason: 'config',
    message: 'Microsoft Entra refused the requested scope (AADSTS70011). Check that the Microsoft Graph host under Advanced belongs to the same cloud as the sign-in host.'
  }
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {}

/** The first line of a Microsoft description: the rest is trace and correlation ids. */
const firstLine = (text: unknown): string => (typeof text === 'string' ? text.split(/\r?\n/)[0].trim() : '').slice(0, 300)

function aadstsCode (body: Record<string, unknown>): number | null {
  const codes = body.error_codes
  if (Array.isArray(codes) && typeof codes[0] === 'number') return codes[0]
  const match = /AADSTS(\d+)/.exec(String(body.error_description ?? ''))
  return match === null ? null : Number(match[1])
}

/**
 * Entra's answer to the token request, as the admin should read it. 429 and 5xx (Entra unavailable
 * after ctx.http's retries) stay as they are: transient, the run is retried.
 */
function tokenFailure (err: OAuth2TokenError): unknown {
  if (err.status === 429 || err.status >= 500) return err
  if (err.status < 300) return new ConnectorError('network', 'Microsoft Entra answered the token request without an access token.')
  const body = record(err.body)
  const code = aadstsCode(body)
  const known = code === null ? undefined : AADSTS[code]
  if (known !== undefined) return new ConnectorError(known.reason, known.message)
  const detail = [body.error, firstLine(body.error_description)].filter(part => typeof part === 'string' && part !== '').join(': ')
  return new ConnectorError('auth', `Microsoft Entra refused the token request (HTTP ${err.status}${detail === '' ? '' : `, ${detail}`}). Check the tenant ID, client ID and client secret.`)
}

/** Graph's { error: { code, message } }, shortened. */
function graphError (body: unknown): string {
  const error = record(record(body).error)
  const parts = [error.code, firstLine(error.message)].filter(part => typeof part === 'string' && part !== '')
  return parts.length === 0 ? '' : ` (${parts.join(': ')})`
}

/** A failed Graph request in plain words: Entra refusing the sign-in, or Graph the request; other errors pass through. */
export function graphFailure (err: unknown): unknown {
  if (err instanceof OAuth2TokenError) return tokenFailure(err)
  if (!(err instanceof HttpStatusError)) return err
  const why = graphError(err.body)
  switch (err.status) {
    case 401:
      return new ConnectorError('auth', `Microsoft Graph rejected the app's access token${why}. Check that the app registration belongs to this tenant and cloud.`)
    case 403:
      return new ConnectorError('permission', `Microsoft Graph refused to list managed devices${why}. Grant the application permission ${PERMISSION} with admin consent in the app registration, and check that the tenant has an active Intune licence.`)
    case 400:
    case 404:
      return new ConnectorError('config', `Microsoft Graph refused the device request with HTTP ${err.status}${why}.`)
    default:
      return err // 429 and 5xx after retries: transient, the run is retried
  }
}
