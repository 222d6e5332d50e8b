// A real OAuth 2.0 authorization server on loopback for consent tests: oidc-provider 8.8 (the
// Node-20 line) with authorization code + PKCE S256 required, refresh tokens (rotated),
// RFC 7009 revocation, and a tiny protected API (/me) that accepts only its live access tokens.
// Reached as https://idp.example and https://api.example through routeToFake (plain HTTP on
// 127.0.0.1); the test plays the admin's browser with a cookie jar (playConsent).
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'
import type { Agent } from 'undici'
import { routeToFake } from '../../core/sdk.ts'
import { followRedirects } from '../../plugins/_shared/oidc/fake-browser.ts'

export const CLIENT_ID = 'stocktake-test'
export const CLIENT_SECRET = 'consent-client-secret-4f1c9a'
export const ACCOUNT = 'admin-1'

export interface PeerEvent { name: string, grantType?: string, codeVerifier?: boolean, error?: string }

export interface OAuthPeer {
  url: string
  provider: InstanceType<typeof Provider>
  /** What the provider did, in order: grant.success / grant.error (with the grant type), revocations. */
  events: PeerEvent[]
  /** Tokens the token endpoint handed out (to look for them in the database, logs and audit). */
  issued: { access: string[], refresh: string[] }
  /** Bearer tokens /me saw, with its answer. */
  apiCalls: Array<{ token: string, status: number }>
  /** Routes every host to this server (https://idp.example, https://api.example). */
  dispatcher: Agent
  close: () => Promise<void>
}

export async function startOAuthPeer (redirectUris: string[], options: { accessTokenTtl?: number } = {}): Promise<OAuthPeer> {
  const events: PeerEvent[] = []
  const issued = { access: [] as string[], refresh: [] as string[] }
  const apiCalls: OAuthPeer['apiCalls'] = []
  const provider = new Provider('https://idp.example', {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post'
    }],
    pkce: { required: () => true, methods: ['S256'] },
    features: { devInteractions: { enabled: false }, revocation: { enabled: true } },
    rotateRefreshToken: true,
    conformIdTokenClaims: false,
    ttl: { AccessToken: options.accessTokenTtl ?? 3600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, IdToken: 3600, RefreshToken: 86400 },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    cookies: { keys: ['consent-test-cookie-key'] }
  } as any)
  provider.proxy = true
  provider.on('grant.success', (ctx: any) => {
    events.push({ name: 'grant.success', grantType: ctx.oidc.params.grant_type, codeVerifier: typeof ctx.oidc.params.code_verifier === 'string' })
    const body = ctx.body as { access_token?: string, refresh_token?: string }
    if (body.access_token) issued.access.push(body.access_token)
    if (body.refresh_token) issued.refresh.push(body.refresh_token)
  })
  provider.on('grant.error', (ctx: any, err: { error?: string }) => { events.push({ name: 'grant.error', grantType: ctx.oidc?.params?.grant_type, error: err.error }) })
  provider.on('grant.revoked', () => { events.push({ name: 'grant.revoked' }) })
  provider.on('access_token.destroyed', () => { events.push({ name: 'access_token.destroyed' }) })
  provider.on('refresh_token.destroyed', () => { events.push({ name: 'refresh_token.destroyed' }) })
  const callback = provider.callback()

  async function interaction (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res)
    const grant = new provider.Grant({ accountId: ACCOUNT, clientId: String(details.params.client_id) })
    grant.addOIDCScope(String(details.params.scope))
    await provider.interactionFinished(req, res, { login: { accountId: ACCOUNT }, consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: false })
  }

  async function api (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
    const found = token === '' ? undefined : await provider.AccessToken.find(token)
    const status = found === undefined ? 401 : 200
    apiCalls.push({ token, status })
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(status === 200 ? { sub: found?.accountId } : { error: 'invalid_token' }))
  }

  const server: Server = createServer((req, res) => {
    const host = req.headers.host ?? ''
    const handle = host.startsWith('api.example')
      ? api(req, res)
      : req.url?.startsWith('/interaction/') === true ? interaction(req, res) : Promise.resolve(callback(req, res))
    handle.catch(err => { res.statusCode = 500; res.end(String(err)) })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const dispatcher = routeToFake(url)
  return {
    url,
    provider,
    events,
    issued,
    apiCalls,
    dispatcher,
    close: async () => {
      await dispatcher.close()
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
}

/**
 * The admin's browser at the vendor: follows the consent redirects (signing in and consenting
 * through the interaction API) from the authorize URL until the vendor sends it back to Stocktake;
 * returns that callback URL.
 */
export async function playConsent (peer: OAuthPeer, authorizeUrl: string): Promise<URL> {
  return await followRedirects(peer.dispatcher, authorizeUrl, at => at.host !== 'idp.example', { 'x-forwarded-proto': 'https' })
}
