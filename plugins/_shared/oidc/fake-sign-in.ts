// One sign-in through a sign-in plugin and the OIDC peer, as the core drives it: start (the core's
// state), the browser at the provider (playBrowser), and finish with the callback's parameters and
// the attempt's secrets — each of which a test may change to play an attacker or a broken browser.
import type { Connector, ConnectorContext, SignInResult, SignInTools } from '../../../core/sdk.ts'
import { playBrowser } from './fake-browser.ts'
import type { OidcPeer } from './fake-provider.ts'

export interface SignInPlay {
  method: string
  callbackUrl: string
  /** The callback's parameters as they reach the core (e.g. another state, a second use of the code). */
  params?: (params: Record<string, string>) => Record<string, string>
  /** What start returned, as the core hands it back (e.g. another PKCE verifier or nonce). */
  secrets?: (secrets: Record<string, string>) => Record<string, string>
  /** null: the answer arrives with no attempt of this browser (unsolicited). */
  attempt?: null
}

export interface SignInRun {
  authorizationUrl: URL
  params: Record<string, string>
  secrets: Record<string, string>
  result: SignInResult
  /** finish again with the same answer (a replayed code). */
  again: () => Promise<SignInResult>
}

/** The sign-in capability never uses its tools here: OIDC keeps nothing of its own. */
const NO_TOOLS = new Proxy({}, { get: () => { throw new Error('the OIDC plugins use no sign-in tools') } }) as SignInTools

export async function signInThrough<S> (connector: Connector<S>, ctx: ConnectorContext<S>, peer: OidcPeer, play: SignInPlay): Promise<SignInRun> {
  const signIn = connector.signIn
  if (signIn === undefined) throw new TypeError('the connector has no signIn capability')
  const state = `state-${Math.random().toString(36).slice(2)}`
  const started = await signIn.start(ctx, { method: play.method, callbackUrl: play.callbackUrl, state }, NO_TOOLS)
  const answered = await playBrowser(peer, started.url, play.callbackUrl)
  const params = play.params?.(answered) ?? answered
  const secrets = play.secrets?.(started.secrets ?? {}) ?? started.secrets ?? {}
  const finish = async (): Promise<SignInResult> => await signIn.finish(ctx, {
    method: play.method, callbackUrl: play.callbackUrl, params, attempt: play.attempt === null ? null : { state, secrets }
  }, NO_TOOLS)
  return { authorizationUrl: new URL(started.url), params, secrets, result: await finish(), again: finish }
}
