// Microsoft Entra ID (Authentication, preview): staff sign in with their work accounts over OpenID
// Connect (plugins/_shared/oidc), from one tenant or an allowlist of tenants; Entra groups map to
// roles. Conditional Access and MFA happen at Microsoft, before it sends the browser back. See README.md.
import { ConnectorError, defineConnector } from '../../core/sdk.ts'
import { ENTRA_SIGN_IN } from '../_shared/microsoft/entra-sign-in.ts'
import { checkClient } from '../_shared/oidc/client-check.ts'
import { finishSignIn, startSignIn } from '../_shared/oidc/flow.ts'
import { policyOf } from '../_shared/oidc/settings.ts'
import { allowedTenants, entraClient, entraIdentity, type EntraSettings } from './entra.ts'

const METHOD = 'microsoft'

function ownMethod (method: string): void {
  if (method !== METHOD) throw new ConnectorError('config', `Microsoft Entra ID has no sign-in method "${method}".`)
}

export default defineConnector<EntraSettings>({
  async test (ctx) {
    return await checkClient(ctx, entraClient(ctx.settings), ENTRA_SIGN_IN)
  },

  signIn: {
    async methods (ctx) {
      const { clientId, clientSecret, tenancy, tenantId } = ctx.settings
      const filled = (value: unknown): boolean => typeof value === 'string' && value.trim() !== ''
      const tenants = tenancy === 'multi' ? (allowedTenants(ctx.settings) ?? []).length > 0 : filled(tenantId)
      return filled(clientId) && filled(clientSecret) && tenants ? [{ key: METHOD, label: 'Sign in with Microsoft' }] : []
    },

    async start (ctx, { method, callbackUrl, state }) {
      ownMethod(method)
      return await startSignIn(ctx, entraClient(ctx.settings), { callbackUrl, state, scope: 'openid email profile', extra: { prompt: 'select_account' } })
    },

    async finish (ctx, callback) {
      if (callback.method !== METHOD) return { ok: false, reason: 'unknown_method', message: 'This sign-in method does not exist.' }
      const answer = await finishSignIn(ctx, entraClient(ctx.settings), callback, ENTRA_SIGN_IN)
      if (!answer.ok) return answer
      const identity = entraIdentity(answer.claims, ctx.settings)
      return identity.ok ? { ok: true, identity: identity.identity, policy: policyOf(ctx.settings) } : identity
    }
  }
})
