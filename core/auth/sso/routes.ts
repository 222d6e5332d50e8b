// Single sign-on for any plugin with the `signIn` capability (core/sdk/sign-in.ts): the start a
// sign-in page button opens, the callback the identity provider sends the browser back to (GET for
// OIDC, POST for SAML's HTTP-POST binding) and the continuation of a POST callback.
//
// A POST callback arrives cross-site, so the SameSite=Lax binding cookie is not sent with it: the
// plugin verifies the answer there, the verified outcome waits on a single-use row, and a 303 sends
// the browser to the continuation, a same-site GET that brings the cookie along and is checked.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { workspaceUrl } from '../../config.ts'
import { safeNext } from '../safe-next.ts'
import type { SignInResult } from '../../sdk/sign-in.ts'
import { createAttempt, createContinuation, newToken, takeAttempt, takeContinuation } from './attempts.ts'
import { bindBrowser, bindUnsolicited, BINDING_COOKIE, holdsBinding, UNSOLICITED_BINDING_COOKIE } from './binding.ts'
import { completeSignIn, type VerifiedSignIn } from './complete.ts'
import { findMethod, type FoundMethod } from './find-method.ts'
import { auditSsoSignIn, refusalPage } from './outcome.ts'
import { SSO_BASE, signInContinuePath, signInUrls } from './paths.ts'
import { acceptableProviderUrl, callbackParams, resultProblem } from './provider-answers.ts'

type MethodParams = { Params: { plugin: string, method: string } }

const unlogged = (req: FastifyRequest) => ({ method: req.method, url: `${req.url.split('?')[0]}?[not logged]`, host: req.host, remoteAddress: req.ip })

export default async function ssoRoutes (app: FastifyInstance) {
  // Refusals are audited (before the answer goes) once a minute per address: a flood must not flood the audit log too.
  const auditedAt = new Map<string, number>()
  const toAudit = new WeakSet<FastifyRequest>()
  function markRateLimited (request: FastifyRequest, key: string): void {
    const now = Date.now()
    if ((auditedAt.get(key) ?? 0) > now - 60_000) return
    if (auditedAt.size > 10_000) auditedAt.clear()
    auditedAt.set(key, now)
    toAudit.add(request)
  }
  app.addHook('onSend', async (request, _reply, payload) => {
    if (!toAudit.has(request)) return payload
    const { plugin = '', method = '' } = request.params as { plugin?: string, method?: string }
    await auditSsoSignIn(app, request, { pluginId: plugin.slice(0, 100), method: method.slice(0, 100), outcome: 'denied', reason: 'rate_limited' })
    return payload
  })
  await app.register(rateLimit, {
    global: false,
    keyGenerator: request => request.ip,
    onExceeded: markRateLimited,
    errorResponseBuilder: (_request, context) => Object.assign(new Error(`Too many sign-in attempts from your network. Try again in ${context.after}.`), { statusCode: 429 })
  })
  const limited = { rateLimit: { max: app.config.ssoRateLimit, timeWindow: 60_000 } }
  const originOf = (request: FastifyRequest) => workspaceUrl(app.config, request.workspace.slug)

  /** The method, or the refusal page already sent. */
  async function methodOf (request: FastifyRequest<MethodParams>, reply: FastifyReply): Promise<FoundMethod | null> {
    const { plugin, method } = request.params
    const lookup = await findMethod(app, request.workspace.id, plugin, method, request.log)
    if ('found' in lookup) return lookup.found
    const reason = 'error' in lookup ? 'provider_error' : 'unknown_method'
    await auditSsoSignIn(app, request, { pluginId: plugin.slice(0, 100), method: method.slice(0, 100), outcome: 'failure', reason })
    await refusalPage(request, reply, 'error' in lookup
      ? 'This sign-in method is not working right now: its identity provider could not be reached or is not set up completely.'
      : 'This sign-in method is not set up in this workspace (or was switched off).', 'error' in lookup ? 502 : 404)
    return null
  }

  app.get(`${SSO_BASE}/:plugin/:method`, { config: limited }, async (request: FastifyRequest<MethodParams & { Querystring: { next?: string } }>, reply) => {
    const origin = originOf(request)
    // The cookie and the registered callback live on the workspace's own address: go there first.
    if (request.hostname.toLowerCase() !== new URL(origin).hostname) return reply.redirect(`${origin}${request.url}`, 303)
    const found = await methodOf(request, reply)
    if (found === null) return reply
    const { plugin, method } = found
    const audit = { pluginId: plugin.id, method }
    const state = newToken()
    const callbackUrl = signInUrls(origin, plugin.id, method).callback
    let url: string
    let secrets: Record<string, string> | undefined
    try {
      ({ url, secrets } = await found.signIn.start(found.ctx, { method, callbackUrl, state }, found.tools))
    } catch (err) {
      request.log.warn({ err: { name: (err as Error).name, message: (err as Error).message }, plugin: plugin.id }, 'a sign-in plugin failed to start a sign-in')
      await auditSsoSignIn(app, request, { ...audit, outcome: 'failure', reason: 'provider_error' })
      return refusalPage(request, reply, `${plugin.manifest.name} could not start the sign-in. Try again in a moment; if it keeps failing, ask your IT admin to check its settings.`, 502)
    }
    if (!acceptableProviderUrl(url)) {
      await auditSsoSignIn(app, request, { ...audit, outcome: 'failure', reason: 'provider_error', extra: { problem: 'insecure_url' } })
      return refusalPage(request, reply, `${plugin.manifest.name} would send you to an address that is not https. Ask your IT admin to check its settings.`, 502)
    }
    await createAttempt(app.db, {
      workspaceId: request.workspace.id,
      state,
      pluginId: plugin.id,
      method,
      sealedSecrets: secrets === undefined ? null : await app.secrets.encrypt(request.workspace.id, JSON.stringify(secrets)),
      bindingHash: bindBrowser(request, reply, app.config.baseUrl.startsWith('https:')),
      returnPath: safeNext(request.query.next, origin)
    })
    reply.header('Cache-Control', 'no-store')
    return reply.redirect(url, 303)
  })

  app.route<MethodParams & { Querystring: Record<string, unknown>, Body: unknown }>({
    method: ['GET', 'POST'],
    url: `${SSO_BASE}/:plugin/:method/callback`,
    // The provider's signed answer is its proof; it is posted cross-site, so no CSRF token can come with it.
    config: { ...limited, csrfExempt: true },
    logSerializers: { req: unlogged },
    // A HEAD (a link scanner) must not use up the attempt.
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      reply.header('Cache-Control', 'no-store')
      const found = await methodOf(request, reply)
      if (found === null) return reply
      const { plugin, method } = found
      const audit = { pluginId: plugin.id, method }
      const ws = request.workspace
      const params = callbackParams(request.method === 'POST' ? request.body : request.query)
      const state = params.state ?? params.RelayState
      const attempt = state === undefined ? undefined : await takeAttempt(app.db, ws.id, state, plugin.id, method)
      const sent = request.method === 'GET'
      // A GET answer comes back same-site (a top-level redirect): the binding cookie is here to check now.
      if (sent && attempt !== undefined && (attempt.binding_hash === null || !holdsBinding(request, BINDING_COOKIE, attempt.binding_hash))) {
        await auditSsoSignIn(app, request, { ...audit, outcome: 'denied', reason: 'browser_mismatch' })
        return refusalPage(request, reply, 'This sign-in was started in another browser. Start it again here, from the sign-in page.')
      }
      let result: SignInResult
      try {
        const secrets = attempt?.sealed_secrets ? JSON.parse(await app.secrets.decrypt(ws.id, attempt.sealed_secrets)) as Record<string, string> : {}
        const callbackUrl = signInUrls(originOf(request), plugin.id, method).callback
        result = await found.signIn.finish(found.ctx, { method, callbackUrl, params, attempt: attempt === undefined ? null : { state: state!, secrets } }, found.tools)
        const problem = resultProblem(result)
        if (problem !== null) throw new Error(`the plugin's finish returned ${problem}`)
      } catch (err) {
        request.log.warn({ err: { name: (err as Error).name, message: (err as Error).message }, plugin: plugin.id }, 'a sign-in plugin failed to finish a sign-in')
        await auditSsoSignIn(app, request, { ...audit, outcome: 'failure', reason: 'provider_error' })
        return refusalPage(request, reply, `${plugin.manifest.name} could not check the answer of your identity provider. Try again; if it keeps failing, ask your IT admin.`, 502)
      }
      if (!result.ok) {
        await auditSsoSignIn(app, request, { ...audit, outcome: 'failure', reason: result.reason.slice(0, 100) })
        return refusalPage(request, reply, result.message)
      }
      // An answer no attempt asked for (SAML IdP-initiated) may name a path of this workspace in RelayState.
      const returnPath = attempt?.return_path ?? safeNext(params.RelayState?.startsWith('/') ? params.RelayState : '/', originOf(request))
      const verified: VerifiedSignIn = { pluginId: plugin.id, pluginName: plugin.manifest.name, method, identity: result.identity, policy: result.policy, returnPath }
      if (sent) return await completeSignIn(app, request, reply, verified)
      const bindingHash = attempt?.binding_hash ?? bindUnsolicited(reply, app.config.baseUrl.startsWith('https:'))
      const token = await createContinuation(app.db, {
        workspaceId: ws.id,
        pluginId: plugin.id,
        method,
        bindingHash,
        returnPath,
        sealedOutcome: await app.secrets.encrypt(ws.id, JSON.stringify({ identity: result.identity, policy: result.policy }))
      })
      return reply.redirect(`${signInContinuePath(plugin.id, method)}?token=${token}`, 303)
    }
  })

  app.get(`${SSO_BASE}/:plugin/:method/continue`, { config: limited, logSerializers: { req: unlogged }, exposeHeadRoute: false }, async (request: FastifyRequest<MethodParams & { Querystring: { token?: unknown } }>, reply) => {
    reply.header('Cache-Control', 'no-store')
    const found = await methodOf(request, reply)
    if (found === null) return reply
    const { plugin, method } = found
    const audit = { pluginId: plugin.id, method }
    const token = typeof request.query.token === 'string' ? request.query.token : ''
    const row = token === '' ? undefined : await takeContinuation(app.db, request.workspace.id, token, plugin.id, method)
    if (row === undefined) {
      await auditSsoSignIn(app, request, { ...audit, outcome: 'failure', reason: 'expired' })
      return refusalPage(request, reply, 'This sign-in was already finished or took too long. Start it again from the sign-in page.')
    }
    reply.clearCookie(UNSOLICITED_BINDING_COOKIE, { path: SSO_BASE })
    if (!holdsBinding(request, BINDING_COOKIE, row.binding_hash) && !holdsBinding(request, UNSOLICITED_BINDING_COOKIE, row.binding_hash)) {
      await auditSsoSignIn(app, request, { ...audit, outcome: 'denied', reason: 'browser_mismatch' })
      return refusalPage(request, reply, 'This sign-in was started in another browser. Start it again here, from the sign-in page.')
    }
    const outcome = JSON.parse(await app.secrets.decrypt(request.workspace.id, row.sealed_outcome)) as Pick<VerifiedSignIn, 'identity' | 'policy'>
    return await completeSignIn(app, request, reply, { ...outcome, pluginId: plugin.id, pluginName: plugin.manifest.name, method, returnPath: row.return_path })
  })
}
