// Microsoft Entra's refusals of a person's sign-in (OpenID Connect), in plain words: the AADSTS
// code of the error_description on the callback (what Entra sends the browser back with) or of
// the token endpoint's answer to the code exchange. The client-secret and tenant words are the
// ones entra.ts has for every Microsoft plugin.
import type { SignInFailure } from '../../../core/sdk.ts'
import type { ProviderError, ProviderWords } from '../oidc/refusals.ts'
import { firstLine, refuse } from '../oidc/refusals.ts'
import { aadstsCode, aadstsRules } from './entra.ts'

const AGAIN = 'Start the sign-in again from the sign-in page.'

/** The words of entra.ts for the codes that mean the app registration's settings are wrong. */
function clientWords (code: number): string | null {
  const rule = aadstsRules('')[code]
  return rule === undefined || typeof rule.message !== 'string' ? null : rule.message
}

/** AADSTS codes of a sign-in, each with its reason and what the person (or their admin) should do. */
const SIGN_IN: Record<number, [string, string]> = {
  50105: ['not_assigned', 'Your account is not assigned to this app in Microsoft Entra (AADSTS50105). Ask your administrator to assign you to it under Enterprise applications, Users and groups.'],
  53003: ['conditional_access', 'Microsoft Entra\'s Conditional Access policies blocked this sign-in (AADSTS53003). Ask your administrator which device or location is required.'],
  65004: ['access_denied', `You declined to give Stocktake access to your basic profile (AADSTS65004). ${AGAIN}`],
  65001: ['consent_required', 'An administrator has not consented to this app for your organization (AADSTS65001). Ask them to grant admin consent for openid, email and profile in the app registration.'],
  50020: ['wrong_tenant', 'Accounts of your organization cannot sign in with this app (AADSTS50020). Sign in with an account of the organization that uses this workspace.'],
  50011: ['redirect_mismatch', 'The app registration in Microsoft Entra does not list this workspace\'s redirect URI (AADSTS50011). An administrator must add it under Authentication.'],
  54005: ['code_replayed', `This sign-in was already used (AADSTS54005). ${AGAIN}`],
  501481: ['pkce_mismatch', `Microsoft refused the sign-in: this browser's proof did not match the one the sign-in started with (AADSTS501481). ${AGAIN}`],
  70008: ['code_expired', `The sign-in took too long and its code expired (AADSTS70008). ${AGAIN}`]
}

/** Entra's reading of a sign-in error; null when the code (or its absence) has no words of its own. */
export function explainEntraSignIn (error: ProviderError): SignInFailure | null {
  const code = aadstsCode({ error_codes: error.error_codes, error_description: error.error_description })
  if (code === null) return null
  const known = SIGN_IN[code]
  if (known !== undefined) return refuse(known[0], known[1])
  const client = clientWords(code)
  if (client !== null) return refuse('client_rejected', `Sign-in with Microsoft is not set up correctly: ${client}`)
  return refuse(error.error === 'access_denied' ? 'access_denied' : 'provider_error', `Microsoft refused the sign-in (${error.error}: ${firstLine(error.error_description)}).`)
}

export const ENTRA_SIGN_IN: ProviderWords = { name: 'Microsoft', explain: explainEntraSignIn }
