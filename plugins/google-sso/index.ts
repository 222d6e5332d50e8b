// Google Workspace SSO (Authentication): staff sign in with their Google accounts over OpenID
// Connect (plugins/_shared/oidc), limited to the workspace's Google Workspace domains. See README.md.
import { defineConnector } from '../../core/sdk.ts'
import { checkClient } from '../_shared/oidc/client-check.ts'
import { listOf, policyOf } from '../_shared/oidc/settings.ts'
import { filled, oidcSignIn } from '../_shared/oidc/sign-in.ts'
import { GOOGLE, googleClient, googleIdentity, hdHint, type GoogleSettings } from './google.ts'

export default defineConnector<GoogleSettings>({
  async test (ctx) {
    return await checkClient(ctx, googleClient(ctx.settings), GOOGLE)
  },

  signIn: oidcSignIn<GoogleSettings>({
    method: { key: 'google', label: 'Sign in with Google' },
    words: GOOGLE,
    ready: s => filled(s.clientId) && filled(s.clientSecret) && listOf(s.allowedDomains).length > 0,
    client: googleClient,
    extra: s => ({ hd: hdHint(s), prompt: 'select_account' }),
    identity: (claims, s) => googleIdentity(claims, listOf(s.allowedDomains)),
    policy: policyOf
  })
})
