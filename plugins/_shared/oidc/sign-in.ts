// The signIn capability of an OpenID Connect plugin with one method ("Sign in with Google"): what
// differs between providers is the client, the request's extra parameters, and what the verified
// claims must say about the person; the flow (flow.ts) and the refusals are the same.
import type { IDToken } from 'openid-client'
import { ConnectorError, type ConnectorContext, type SignInCapability, type SignInFailure, type SignInMethod, type SignInPolicy, type VerifiedIdentity } from '../../../core/sdk.ts'
import type { OidcClient } from './configuration.ts'
import { finishSignIn, startSignIn } from './flow.ts'
import type { ProviderWords } from './refusals.ts'

export interface OidcProvider<S> {
  method: SignInMethod
  words: ProviderWords
  /** Whether the settings are complete enough to show the button. */
  ready: (settings: S) => boolean
  client: (settings: S) => OidcClient
  /** Provider-specific authorization parameters (Google's hd hint, prompt). */
  extra: (settings: S) => Record<string, string>
  /** The person, from claims openid-client has verified; a refusal when they say no. */
  identity: (claims: IDToken, settings: S) => { ok: true, identity: VerifiedIdentity } | SignInFailure
  policy: (settings: S) => SignInPolicy
}

const SCOPE = 'openid email profile'

export function oidcSignIn<S> (provider: OidcProvider<S>): SignInCapability<ConnectorContext<S>> {
  return {
    async methods (ctx) {
      return provider.ready(ctx.settings) ? [provider.method] : []
    },

    async start (ctx, { method, callbackUrl, state }) {
      if (method !== provider.method.key) throw new ConnectorError('config', `${provider.words.name} sign-in has no method "${method}".`)
      return await startSignIn(ctx, provider.client(ctx.settings), { callbackUrl, state, scope: SCOPE, extra: provider.extra(ctx.settings) })
    },

    async finish (ctx, callback) {
      if (callback.method !== provider.method.key) return { ok: false, reason: 'unknown_method', message: 'This sign-in method does not exist.' }
      const answer = await finishSignIn(ctx, provider.client(ctx.settings), callback, provider.words)
      if (!answer.ok) return answer
      const identity = provider.identity(answer.claims, ctx.settings)
      return identity.ok ? { ok: true, identity: identity.identity, policy: provider.policy(ctx.settings) } : identity
    }
  }
}

/** A setting typed in (not blank). */
export const filled = (value: unknown): boolean => typeof value === 'string' && value.trim() !== ''
