// Microsoft Entra ID (Authentication, preview): staff sign in with their work accounts over OpenID
// Connect (plugins/_shared/oidc), from one tenant or an allowlist of tenants; Entra groups map to
// roles. Conditional Access and MFA happen at Microsoft, before it sends the browser back. See README.md.
import { defineConnector } from '../../core/sdk.ts'
import { ENTRA_SIGN_IN } from '../_shared/microsoft/entra-sign-in.ts'
import { checkClient } from '../_shared/oidc/client-check.ts'
import { policyOf } from '../_shared/oidc/settings.ts'
import { filled, oidcSignIn } from '../_shared/oidc/sign-in.ts'
import { allowedTenants, entraClient, entraIdentity, type EntraSettings } from './entra.ts'

export default defineConnector<EntraSettings>({
  async test (ctx) {
    return await checkClient(ctx, entraClient(ctx.settings), ENTRA_SIGN_IN)
  },

  signIn: oidcSignIn<EntraSettings>({
    method: { key: 'microsoft', label: 'Sign in with Microsoft' },
    words: ENTRA_SIGN_IN,
    ready: s => filled(s.clientId) && filled(s.clientSecret) && (s.tenancy === 'multi' ? (allowedTenants(s) ?? []).length > 0 : filled(s.tenantId)),
    client: entraClient,
    extra: () => ({ prompt: 'select_account' }),
    identity: entraIdentity,
    policy: policyOf
  })
})
