// A real OpenID provider on loopback for the sign-in plugins' fakes and tests: oidc-provider 8.8
// configured as Google or as Microsoft Entra ID, reached at the vendors' real addresses through
// routeToFake (plain HTTP on 127.0.0.1), so the plugins' allowedHosts and the Entra multi-tenant
// issuer handling of openid-client (which needs the real login.microsoftonline.com origin) are
// exercised as in production.
//
// As the vendors document them:
// - Google: discovery at accounts.google.com, the token endpoint on oauth2.googleapis.com and the
//   keys on www.googleapis.com; `hd` only for Workspace accounts; `iss` on the authorization response.
// - Entra: per tenant, discovery at /<tenant>/v2.0/.well-known/openid-configuration with the issuer
//   https://<login host>/<tenant id>/v2.0, endpoints under /<tenant>/oauth2/v2.0/; the multi-tenant
//   /organizations/ document names the issuer https://<login host>/{tenantid}/v2.0 literally and
//   each token carries its tenant's issuer and `tid`; one set of signing keys for every tenant; no
//   `iss` on the authorization response (and none advertised); token refusals with AADSTS codes.
// - Claims in the ID token (conformIdTokenClaims: false), PKCE S256 required, no dev interactions:
//   the test plays the browser (fake-browser.ts) and the person who signs in is `peer.person`.
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider, { interactionPolicy } from 'oidc-provider'
import { request as undiciRequest, type Agent } from 'undici'
import { routeToFake } from '../../../core/sdk/testing.ts'
import { memoryAdapter } from './fake-provider-adapter.ts'

export type PeerFlavour = 'google' | 'entra'

/** Who signs in at the provider next: the ID token's claims (sub first). */
export interface PeerPerson {
  sub: string
  /** Entra: the tenant (one of the peer's) the person belongs to; its issuer signs the token. */
  tenant?: string
  claims: Record<string, unknown>
}

export interface OidcPeerOptions {
  flavour: PeerFlavour
  clientId: string
  clientSecret: string
  redirectUris: string[]
  /** Entra: the tenant ids this peer hosts (the first is the home tenant). */
  tenants?: string[]
  /** Entra: a verified domain of the home tenant, accepted in place of its id in discovery URLs. */
  tenantDomain?: string
  /** Entra: the sign-in host (a national cloud's). Default login.microsoftonline.com. */
  loginHost?: string
}

export interface OidcPeer {
  /** http://127.0.0.1:<port>: every host is routed here by `dispatcher`. */
  url: string
  dispatcher: Agent
  flavour: PeerFlavour
  /** The person who signs in next (change it between sign-ins). */
  person: PeerPerson
  /** Seconds an ID token lives; negative issues one already expired. Default 3600. */
  idTokenTtl: number
  /**
   * Changes the claims of the ID tokens the token endpoint returns from now on, re-signed with the
   * provider's own key (a provider that issues such a token: another audience, an old `exp`).
   */
  reissue: ((claims: Record<string, unknown>) => Record<string, unknown>) | null
  /** true: ID tokens are re-signed with a key the provider does not publish (same kid): a forgery. */
  forgeSignature: boolean
  /** Token-endpoint outcomes in order: 'ok' or the oidc-provider error detail. */
  grants: string[]
  /** Discovery and key requests received, by path (to measure caching). */
  metadataRequests: string[]
  close: () => Promise<void>
}

const GOOGLE = { issuer: 'https://accounts.google.com', token: 'https://oauth2.googleapis.com/token', jwks: 'https://www.googleapis.com/oauth2/v3/certs', userinfo: 'https://openidconnect.googleapis.com/v1/userinfo' }
const KID = 'peer-signing-key-1'

/** The claims each scope releases: the vendors put these in the ID token. */
const CLAIMS = {
  openid: ['sub', 'hd', 'tid', 'oid', 'groups', 'preferred_username', 'xms_edov', '_claim_names', '_claim_sources'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name']
}

/** Entra's words for oidc-provider's refusals of a code (AADSTS codes as Microsoft documents them). */
const AADSTS: Record<string, [number, string]> = {
  'authorization code already consumed': [54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'],
  'PKCE verification failed': [501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.'],
  'authorization code is expired': [70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.'],
  'invalid secret provided': [7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.']
}

/** The interaction policy with Google's and Entra's `prompt=select_account` (the account chooser) requestable. */
function prompts (): ReturnType<typeof interactionPolicy.base> {
  const policy = interactionPolicy.base()
  policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }))
  return policy
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

function resign (jwt: string, change: (claims: Record<string, unknown>) => Record<string, unknown>, key: KeyObject): string {
  const [header, payload] = jwt.split('.')
  const claims = change(JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>)
  const signingInput = `${header}.${b64url(claims)}`
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key).toString('base64url')}`
}

export async function startOidcPeer (options: OidcPeerOptions): Promise<OidcPeer> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const forger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const adapter = memoryAdapter()
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }
  const loginHost = options.loginHost ?? 'login.microsoftonline.com'
  const tenants = options.flavour === 'entra' ? options.tenants ?? [randomUUID()] : []
  const peer: Omit<OidcPeer, 'url' | 'dispatcher' | 'close'> = {
    flavour: options.flavour,
    person: { sub: 'person-1', tenant: tenants[0], claims: {} },
    idTokenTtl: 3600,
    reissue: null,
    forgeSignature: false,
    grants: [],
    metadataRequests: []
  }
  const issuerOf = (tenant: string | undefined): string => tenant === undefined ? GOOGLE.issuer : `https://${loginHost}/${tenant}/v2.0`

  function provider (tenant: string | undefined): Provider {
    const op = new Provider(issuerOf(tenant), {
      clients: [{
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post'
      }],
      jwks: { keys: [jwk] },
      pkce: { required: () => true, methods: ['S256'] },
      features: { devInteractions: { enabled: false } },
      conformIdTokenClaims: false,
      claims: CLAIMS,
      routes: tenant === undefined
        ? { authorization: '/o/oauth2/v2/auth', token: '/token', jwks: '/oauth2/v3/certs', userinfo: '/v1/userinfo' }
        : { authorization: '/oauth2/v2.0/authorize', token: '/oauth2/v2.0/token', jwks: '/discovery/v2.0/keys', userinfo: '/oidc/userinfo' },
      ttl: { AccessToken: 3600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, IdToken: () => peer.idTokenTtl },
      interactions: { policy: prompts(), url: (ctx: any, interaction: { uid: string }) => `${String(ctx.req.peerPrefix ?? '')}/interaction/${interaction.uid}` },
      findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ ...peer.person.claims, sub: id }) }),
      cookies: { keys: ['oidc-peer-cookie-key'] },
      adapter
    } as any)
    op.proxy = true
    op.on('grant.success', () => { peer.grants.push('ok') })
    op.on('grant.error', (ctx: any, err: { error_detail?: string, message?: string }) => {
      const detail = err.error_detail ?? err.message ?? 'error'
      peer.grants.push(detail)
      ctx.peerDetail = detail
    })
    op.on('server_error', (_ctx: unknown, err: Error) => { peer.grants.push(`server_error: ${err.message}`) })
    op.use(async (ctx: any, next: () => Promise<void>) => {
      await next()
      const body = ctx.body as Record<string, unknown> | undefined
      if (typeof body?.id_token === 'string' && (peer.reissue !== null || peer.forgeSignature)) {
        body.id_token = resign(body.id_token, peer.reissue ?? (claims => claims), peer.forgeSignature ? forger : privateKey)
      }
      if (tenant === undefined) return
      // Entra sends no `iss` on the authorization response.
      const location = ctx.response.get('location') as string
      if (location !== '' && options.redirectUris.some(uri => location.startsWith(uri))) {
        const url = new URL(location)
        url.searchParams.delete('iss')
        ctx.set('location', url.href)
      }
      // Entra's refusals of a token request carry an AADSTS code.
      const known = AADSTS[ctx.peerDetail ?? (body?.error === 'invalid_client' ? 'invalid secret provided' : '')]
      if (typeof body?.error === 'string' && known !== undefined) {
        ctx.body = { ...body, error_description: `AADSTS${known[0]}: ${known[1]} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`, error_codes: [known[0]] }
      }
    })
    return op
  }

  const providers = new Map<string | undefined, Provider>(tenants.length === 0 ? [[undefined, provider(undefined)]] : tenants.map(t => [t, provider(t)]))
  const home = tenants[0]

  const documents = new Map<Provider, Record<string, unknown>>()

  /** The discovery document the vendor serves at `prefix` (Entra: a tenant, `organizations` or `common`). */
  async function discovery (prefix: string | undefined): Promise<Record<string, unknown>> {
    const tenant = prefix === undefined ? undefined : tenants.includes(prefix) ? prefix : home
    const op = providers.get(tenant) as Provider
    const own = documents.get(op) ?? await internal(op, '/.well-known/openid-configuration', prefix === undefined ? 'accounts.google.com' : loginHost)
    documents.set(op, own)
    if (prefix === undefined) {
      return { ...own, token_endpoint: GOOGLE.token, jwks_uri: GOOGLE.jwks, userinfo_endpoint: GOOGLE.userinfo }
    }
    const { authorization_response_iss_parameter_supported: _notAdvertised, ...rest } = own
    const root = `https://${loginHost}/${prefix}`
    const multi = prefix === 'organizations' || prefix === 'common'
    return {
      ...rest,
      issuer: multi ? `https://${loginHost}/{tenantid}/v2.0` : issuerOf(tenant),
      authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
      token_endpoint: `${root}/oauth2/v2.0/token`,
      jwks_uri: `${root}/discovery/v2.0/keys`,
      userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo'
    }
  }

  /** A GET of the provider's own route (its discovery document), as the provider answers it. */
  async function internal (op: Provider, path: string, host: string): Promise<Record<string, unknown>> {
    const server = createServer(op.callback())
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const res = await undiciRequest(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, { headers: { 'x-forwarded-proto': 'https', host } })
      return await res.body.json() as Record<string, unknown>
    } finally {
      server.close()
    }
  }

  async function interaction (op: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await op.interactionDetails(req, res)
    // The account chooser (prompt=select_account): another person signing in in the same browser
    // replaces whoever was signed in at the provider, without oidc-provider's logout confirmation.
    if (details.session !== undefined && details.session.accountId !== peer.person.sub) {
      const session = await op.Session.find(details.session.cookie)
      if (session !== undefined) {
        session.accountId = undefined
        await session.persist()
      }
      details.session = undefined
      await details.persist()
    }
    const grant = new op.Grant({ accountId: peer.person.sub, clientId: String(details.params.client_id) })
    grant.addOIDCScope(String(details.params.scope))
    await op.interactionFinished(req, res, { select_account: {}, login: { accountId: peer.person.sub }, consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: false })
  }

  const json = (res: ServerResponse, body: unknown): void => { res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body)) }

  async function handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.headers['x-forwarded-proto'] = 'https'
    const url = new URL(req.url ?? '/', 'https://peer')
    let prefix: string | undefined
    let path = url.pathname
    if (options.flavour === 'entra') {
      const [, first = '', ...rest] = path.split('/')
      prefix = first === options.tenantDomain ? home : first
      path = `/${rest.join('/')}`
      if (!tenants.includes(prefix) && prefix !== 'organizations' && prefix !== 'common') {
        res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify({ error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${prefix}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, error_codes: [90002] }))
        return
      }
      if (path === '/v2.0/.well-known/openid-configuration') {
        peer.metadataRequests.push(url.pathname)
        return json(res, await discovery(prefix))
      }
    } else if (path === '/.well-known/openid-configuration') {
      peer.metadataRequests.push(path)
      return json(res, await discovery(undefined))
    }
    if (path.endsWith('/certs') || path.endsWith('/keys')) peer.metadataRequests.push(url.pathname)
    // Multi-tenant endpoints answer as the tenant of the person signing in.
    const tenant = prefix === undefined ? undefined : tenants.includes(prefix) ? prefix : peer.person.tenant
    const op = providers.get(tenant) as Provider
    const mounted = req as IncomingMessage & { originalUrl?: string, peerPrefix?: string }
    if (prefix !== undefined) {
      mounted.originalUrl = req.url
      mounted.peerPrefix = `/${prefix}`
      req.url = `${path}${url.search}`
    }
    if (path.startsWith('/interaction/')) return await interaction(op, req, res)
    op.callback()(req, res)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => { res.statusCode = 500; res.end(String(err)) })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const dispatcher = routeToFake(url)
  return Object.assign(peer, {
    url,
    dispatcher,
    close: async () => {
      await dispatcher.close()
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  })
}
