// The sign-in capability (single sign-on): a plugin starts a sign-in (where to send the browser) and
// finishes it (verifies what the identity provider sent back) and returns a verified identity or a
// failure with its reason. The core owns everything else: the attempt and its `state`, the binding
// to the browser that started it, matching the identity to a person, just-in-time creation, role
// mapping, the session, the audit entry, rate limits and the return path. Types only; the core
// implements the flow in core/auth/sso/.
import type { Knex } from 'knex'
import type { SealedSecrets } from './contract.ts'
import type { PersonRole } from './directory.ts'

/** One button of the sign-in page: "Sign in with Google", or one SAML identity provider. */
export interface SignInMethod {
  /** Stable within the plugin: `^[a-z0-9][a-z0-9-]{0,63}$` ("google", an IdP's slug). Part of the callback URL. */
  key: string
  /** The button's words: "Sign in with Google", "Sign in with Okta" (a SAML IdP's display name). */
  label: string
}

/**
 * A method's addresses on the workspace: `start` (what the sign-in page's button opens; a SAML
 * service provider's entity ID) and `callback` (OIDC redirect_uri, SAML ACS URL) to register at the
 * identity provider.
 */
export interface SignInUrls { start: string, callback: string }

/** What a sign-in plugin uses beside ctx. */
export interface SignInTools {
  /** The plugin's own tables (its schema), always by workspace: replay caches, IdP records. */
  db: Knex
  /** Sealing with the workspace's data key (the SP's private key a page action stored sealed). */
  secrets: SealedSecrets
}

export interface SignInStartInput {
  method: string
  /**
   * Where the identity provider must send the browser back: the core's callback for this plugin and
   * method on the workspace's address (`<workspace>/sign-in/sso/<plugin>/<method>/callback`). OIDC's
   * redirect_uri, SAML's AssertionConsumerServiceURL. Register it at the provider.
   */
  callbackUrl: string
  /** Unguessable, single use: send it as OIDC `state` or SAML `RelayState`; it comes back unchanged. */
  state: string
}

export interface SignInRedirect {
  /** Where the browser goes next (a GET): the provider's authorization URL or SAML redirect-binding URL. */
  url: string
  /**
   * What finish needs to verify the answer to this attempt: the nonce, the PKCE verifier, the SAML
   * request's ID. The core keeps it sealed with the attempt (in the database, so every web node
   * sees it) and hands it back once.
   */
  secrets?: Record<string, string>
}

export interface SignInCallback {
  method: string
  /** The same callback URL start was given: OIDC's redirect_uri, SAML's expected Destination/Recipient. */
  callbackUrl: string
  /** The query string (GET) or form (POST) the provider sent back: the first value of each name. */
  params: Record<string, string>
  /**
   * The attempt this answer belongs to (its `state`/`RelayState` matched one this browser started,
   * unused and not expired), with what start returned in `secrets`; null when the provider sent the
   * browser unasked (SAML IdP-initiated): refuse unless the method allows that.
   */
  attempt: { state: string, secrets: Record<string, string> } | null
}

/** Who the identity provider says signed in, verified by the plugin. */
export interface VerifiedIdentity {
  /** The address the person is matched by (case-insensitive); the plugin checked the provider vouches for it. */
  email: string
  /** The provider's stable identifier for the person (OIDC `sub`, SAML NameID): once linked, matched before email. */
  subject: string
  firstName?: string
  lastName?: string
  /** Group values the provider sent, for role mapping; empty when it sends none. */
  groups: string[]
}

/** What the workspace's configuration of this method allows, applied by the core. */
export interface SignInPolicy {
  /** Just-in-time: create a person for an identity the register does not know. Off: only known people get in. */
  createPeople: boolean
  /**
   * Group value → role. Empty: roles are left as they are (a person created just in time gets
   * `defaultRole`). Otherwise on every sign-in the highest mapped role of the person's groups wins,
   * `defaultRole` when none is mapped; the last active super-admin is never demoted.
   */
  roleMappings: Array<{ group: string, role: PersonRole }>
  defaultRole: PersonRole
}

/**
 * Why a sign-in was refused, in two parts: `reason` a short snake_case code for the audit log
 * (`wrong_domain`, `email_not_verified`, `bad_signature`, `replayed`, `wrong_audience`, `expired`,
 * `unsolicited`, `provider_error`, …), `message` one or two plain sentences for the person.
 */
export interface SignInFailure { ok: false, reason: string, message: string }

export type SignInResult = { ok: true, identity: VerifiedIdentity, policy: SignInPolicy } | SignInFailure

export interface SignInCapability<Ctx> {
  /** The workspace's enabled methods (buttons), in order; empty when nothing is set up. */
  methods: (ctx: Ctx, tools: SignInTools) => Promise<SignInMethod[]>
  start: (ctx: Ctx, input: SignInStartInput, tools: SignInTools) => Promise<SignInRedirect>
  /** Verifies the provider's answer; a refusal is a SignInFailure (thrown errors are `provider_error`). */
  finish: (ctx: Ctx, callback: SignInCallback, tools: SignInTools) => Promise<SignInResult>
}
