// Single sign-on through the fixture sign-in plugin (test/fixtures/sign-in-plugin): its settings in
// a workspace, and a browser that starts a sign-in, is answered by the fixture's identity provider
// and brings the answer back, as a GET (like OIDC) or as a cross-site POST (like SAML).
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, LightMyRequestResponse as InjectResponse } from 'fastify'
import { systemActor } from '../../core/audit/index.ts'
import { discoverPlugins } from '../../core/integrations/index.ts'
import type { Assertion } from '../fixtures/sign-in-plugin/assertion.ts'
import type { FakeIdp, IdpAnswer } from '../fixtures/sign-in-plugin/fake-idp.ts'
import type { TestSession } from './session.ts'

export const SSO_PLUGIN = 'fixture-sso'
const fixture = fileURLToPath(new URL('../fixtures/sign-in-plugin/', import.meta.url))

export const signInPlugins = async () => await discoverPlugins({ builtinDir: null, pluginDirs: [fixture] })

export interface FixtureSettings {
  createPeople?: boolean
  roleMappings?: string
  defaultRole?: string
  allowIdpInitiated?: boolean
  brokenMethods?: boolean
}

/** Saves and enables the fixture plugin in a workspace, talking to `idp`. */
export async function enableFixtureSso (app: FastifyInstance, workspaceId: string, idp: FakeIdp, settings: FixtureSettings = {}, enabled = true): Promise<void> {
  const plugin = app.integrations.plugin(SSO_PLUGIN)!
  const result = await app.integrations.settings.save(workspaceId, systemActor, plugin, { idpUrl: idp.url, signingKey: idp.key, ...settings }, { enabled })
  if (!result.ok) throw new Error(`fixture settings refused: ${JSON.stringify(result.errors)}`)
}

/** A form post the browser makes cross-site: SameSite=Lax cookies stay behind; cookies it sets are kept. */
export async function crossSitePost (app: FastifyInstance, browser: TestSession, url: string, form: Record<string, string>): Promise<InjectResponse> {
  const res = await app.inject({ method: 'POST', url, payload: new URLSearchParams(form).toString(), headers: { host: browser.host, 'content-type': 'application/x-www-form-urlencoded' } })
  for (const c of res.cookies as Array<{ name: string, value: string }>) browser.cookies.set(c.name, c.value)
  return res
}

/** Sends the identity provider's answer back the way its binding does; the callback's response. */
export async function deliver (app: FastifyInstance, browser: TestSession, answer: IdpAnswer): Promise<InjectResponse> {
  const path = new URL(answer.callback).pathname
  if (answer.binding === 'get') return await browser.get(`${path}?${new URLSearchParams(answer.params).toString()}`)
  return await crossSitePost(app, browser, path, answer.params)
}

export interface SsoRun {
  start: InjectResponse
  answer: IdpAnswer
  callback: InjectResponse
  /** The last response: the callback's, or for POST its continuation's. */
  final: InjectResponse
}

/** A whole sign-in: start, the provider's answer (with overrides), the callback and (POST) its continuation. */
export async function ssoSignIn (app: FastifyInstance, browser: TestSession, idp: FakeIdp, opts: { method?: 'get' | 'post', next?: string, overrides?: Partial<Assertion> } = {}): Promise<SsoRun> {
  const method = opts.method ?? 'get'
  const start = await browser.get(`/sign-in/sso/${SSO_PLUGIN}/${method}${opts.next !== undefined ? `?next=${encodeURIComponent(opts.next)}` : ''}`)
  if (start.statusCode !== 303) throw new Error(`start answered ${start.statusCode}: ${start.body.slice(0, 300)}`)
  const answer = idp.answer(String(start.headers.location), opts.overrides)
  const callback = await deliver(app, browser, answer)
  const final = answer.binding === 'post' && callback.statusCode === 303 ? await browser.get(String(callback.headers.location)) : callback
  return { start, answer, callback, final }
}

/** The latest sign-in audit entry of the workspace. */
export async function lastSignIn (app: FastifyInstance, workspaceId: string): Promise<{ outcome: string, actor_label: string, target_id: string | null, details: Record<string, unknown> }> {
  return await app.db('audit_log').where({ workspace_id: workspaceId, action: 'auth.sign_in' }).orderBy('id', 'desc').first()
}
