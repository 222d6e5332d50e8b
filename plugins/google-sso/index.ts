// Google Workspace SSO (Authentication): staff sign in with their Google accounts over OpenID
// Connect (plugins/_shared/oidc), limited to the workspace's Google Workspace domains. See README.md.
import { ConnectorError, defineConnector } from '../../core/sdk.ts'
import { checkClient } from '../_shared/oidc/client-check.ts'
import { finishSignIn, startSignIn } from '../_shared/oidc/flow.ts'
import { listOf, policyOf } from '../_shared/oidc/settings.ts'
import { GOOGLE, googleClient, googleIdentity, hdHint, type GoogleSettings } from './google.ts'

const METHOD = 'google'

function ownMethod (method: string): void {
  if (method !== METHOD) throw new ConnectorError('config', `Google Workspace SSO has no sign-in method "${method}".`)
}

export default defineConnector<GoogleSettings>({
  async test (ctx) {
    return await checkClient(ctx, googleClient(ctx.settings), GOOGLE)
  },

  signIn: {
    async methods (ctx) {
      const { clientId, clientSecret, allowedDomains } = ctx.settings
      const ready = [clientId, clientSecret].every(value => typeof value === 'string' && value.trim() !== '') && listOf(allowedDomains).length > 0
      return ready ? [{ key: METHOD, label: 'Sign in with Google' }] : []
    },

    async start (ctx, { method, callbackUrl, state }) {
      ownMethod(method)
      return await startSignIn(ctx, googleClient(ctx.settings), { callbackUrl, state, scope: 'openid email profile', extra: { hd: hdHint(ctx.settings), prompt: 'select_account' } })
    },

    async finish (ctx, callback) {
      if (callback.method !== METHOD) return { ok: false, reason: 'unknown_method', message: 'This sign-in method does not exist.' }
      const answer = await finishSignIn(ctx, googleClient(ctx.settings), callback, GOOGLE)
      if (!answer.ok) return answer
      const identity = googleIdentity(answer.claims, listOf(ctx.settings.allowedDomains))
      return identity.ok ? { ok: true, identity: identity.identity, policy: policyOf(ctx.settings) } : identity
    }
  }
})
