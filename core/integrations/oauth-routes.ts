// OAuth consent (grant authorization_code with PKCE S256), owned by the core: "Connect with
// <Vendor>" on a card sends the admin to the vendor's consent page; the vendor sends them back to
// the one callback, which checks the `state` (this session, this workspace, this plugin, once,
// within 10 minutes), trades the code for tokens and stores them sealed.
//
// Connect is a link (GET), not a form: the pages' CSP (form-action 'self') refuses a form post
// that redirects to another site. Starting an attempt changes nothing but a short-lived row.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { recordAudit } from '../audit/index.ts'
import { ADMIN_ROLES } from '../auth/roles.ts'
import { requireUser } from '../auth/session.ts'
import { errorPage } from '../admin/errors.ts'
import { connectionColumns } from './connection-state.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import { hostGuard } from './http/hosts.ts'
import { authorizationUrl, exchangeCode, newState, pkcePair, stateHash } from './http/oauth2-consent.ts'
import { needsConsent } from './service.ts'
import { workspaceUrl } from '../config.ts'
import { guardConfiguration } from '../auth/sso/configure-guard.ts'

const BASE = '/settings/integrations'
/** The one callback every consent comes back to: register `<workspace address>/settings/integrations/oauth/callback` at the vendor. */
export const CALLBACK_PATH = `${BASE}/oauth/callback`
const STATE_MINUTES = 10

/** Where the vendor sends the admin back for this workspace. */
export const redirectUri = (baseUrl: string, slug: string): string => `${workspaceUrl({ baseUrl }, slug)}${CALLBACK_PATH}`

export async function oauthConsentRoutes (app: FastifyInstance) {
  const admin = { preHandler: requireUser(ADMIN_ROLES) }

  function consentPlugin (id: string): DiscoveredPlugin | undefined {
    const plugin = app.integrations.plugin(id)
    return plugin !== undefined && needsConsent(plugin) && plugin.manifest.status !== 'coming-soon' ? plugin : undefined
  }

  /** Back to the card with a message: the admin fixes the settings and clicks Connect again. */
  function backToCard (request: FastifyRequest, reply: FastifyReply, plugin: DiscoveredPlugin, kind: 'error' | 'success', message: string) {
    reply.flash(kind, message)
    return reply.redirect(kind === 'success' ? BASE : `${BASE}/${plugin.id}`, 303)
  }

  app.get(`${BASE}/:id/connect`, admin, async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const plugin = consentPlugin(request.params.id)
    if (plugin === undefined) return errorPage(request, reply, { status: 404, title: 'Not found', message: 'There is no integration to connect at this address.' })
    await guardConfiguration(request, plugin)
    const name = plugin.manifest.name
    const ws = request.workspace
    if (await app.integrations.settings.get(ws.id, plugin.id) === undefined) {
      return backToCard(request, reply, plugin, 'error', `${name}: save the settings first, then connect.`)
    }
    const client = await app.integrations.consentClient(ws, plugin.id, AbortSignal.timeout(30_000))
    if ('notConfigured' in client) return backToCard(request, reply, plugin, 'error', client.notConfigured.message)
    try {
      hostGuard(client.allowedHosts)(client.consent.authorizeUrl)
    } catch {
      return backToCard(request, reply, plugin, 'error', `${name} cannot connect: the host of its consent page, ${new URL(client.consent.authorizeUrl).host}, is not one the plugin may reach (allowedHosts).`)
    }
    const state = newState()
    const { verifier, challenge } = pkcePair()
    const redirect = redirectUri(app.config.baseUrl, ws.slug)
    await app.db('integration_oauth_states').where({ workspace_id: ws.id }).where('expires_at', '<', app.db.fn.now()).delete()
    await app.db('integration_oauth_states').insert({
      workspace_id: ws.id,
      state_hash: stateHash(state),
      plugin_id: plugin.id,
      session_id: request.sessionId,
      user_id: request.user?.id,
      redirect_uri: redirect,
      sealed_verifier: await app.secrets.encrypt(ws.id, verifier),
      expires_at: app.db.raw('now() + make_interval(mins => ?)', [STATE_MINUTES])
    })
    reply.header('Cache-Control', 'no-store')
    return reply.redirect(authorizationUrl(client.consent, { state, challenge, redirectUri: redirect }), 303)
  })

  /** The refusal page: why, and where to start again; never a 500. */
  function refused (request: FastifyRequest, reply: FastifyReply, message: string, status = 400) {
    return errorPage(request, reply, { status, title: 'Not connected', message, detail: 'Start again with Connect on the integration\'s card under Settings → Integrations.' })
  }

  // Its request log line names the path only: the query holds the authorization code and the state.
  const callbackOptions = {
    ...admin,
    logSerializers: { req: (req: FastifyRequest) => ({ method: req.method, url: `${CALLBACK_PATH}?[query not logged]`, host: req.host, remoteAddress: req.ip }) }
  }

  app.get(CALLBACK_PATH, callbackOptions, async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
    reply.header('Cache-Control', 'no-store')
    const query = request.query ?? {}
    const param = (name: string): string => typeof query[name] === 'string' ? query[name] : ''
    const state = param('state')
    const ws = request.workspace
    if (state === '') return refused(request, reply, 'The answer from the vendor names no connection attempt (no state).')
    const hash = stateHash(state)
    // Used once: the row goes as it is read, and only for the session and workspace that started it.
    const [attempt] = await app.db('integration_oauth_states')
      .where({ workspace_id: ws.id, state_hash: hash, session_id: request.sessionId })
      .where('expires_at', '>', app.db.fn.now())
      .delete().returning(['plugin_id', 'redirect_uri', 'sealed_verifier'])
    if (attempt === undefined) {
      const other = await app.db('integration_oauth_states').where({ workspace_id: ws.id, state_hash: hash })
        .first('session_id', app.db.raw('expires_at <= now() AS expired'))
      const message = other === undefined
        ? 'This connection attempt is unknown or was already used (each one works once, in the workspace it was started in).'
        : other.session_id !== request.sessionId
          ? 'This connection attempt was started in another sign-in session: only the admin who clicked Connect can finish it, in the same browser.'
          : 'This connection attempt expired: it has to be finished within 10 minutes.'
      return refused(request, reply, message)
    }
    const plugin = consentPlugin(attempt.plugin_id)
    if (plugin === undefined) return refused(request, reply, 'The integration this connection attempt was for is no longer installed.')
    const name = plugin.manifest.name
    const vendorError = param('error')
    if (vendorError !== '') {
      const description = param('error_description').slice(0, 300)
      return refused(request, reply, `${name} did not give consent (${vendorError}${description === '' ? '' : `: ${description}`}).`)
    }
    const code = param('code')
    if (code === '') return refused(request, reply, `${name} sent the admin back without an authorization code.`)
    const client = await app.integrations.consentClient(ws, plugin.id, AbortSignal.timeout(60_000))
    if ('notConfigured' in client) return refused(request, reply, client.notConfigured.message)
    let tokens
    try {
      const verifier = await app.secrets.decrypt(ws.id, attempt.sealed_verifier)
      tokens = await exchangeCode(client.consent, client.send, { code, verifier, redirectUri: attempt.redirect_uri })
    } catch (err) {
      request.log.warn({ err: { name: (err as Error).name, message: (err as Error).message }, plugin: plugin.id }, 'the authorization code exchange failed')
      return refused(request, reply, `${name} did not hand out tokens for this consent: ${(err as Error).message}`, 502)
    }
    const actor = request.actor()
    await app.db.transaction(async trx => {
      await app.integrations.tokens.save(trx, ws.id, plugin.id, tokens)
      await trx('integrations').where({ workspace_id: ws.id, plugin_id: plugin.id }).update(connectionColumns(trx, true, ''))
      await recordAudit(trx, ws.id, actor, {
        action: 'integration.consented',
        target: { type: 'integration', id: plugin.id, label: name },
        details: { scope: tokens.scope ?? null, refresh_token: tokens.refreshToken !== undefined }
      })
    })
    return backToCard(request, reply, plugin, 'success', `${name}: connected.`)
  })
}

export default oauthConsentRoutes
