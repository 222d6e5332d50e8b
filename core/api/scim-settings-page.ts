// Settings → SCIM: the tenant URL an identity provider (Okta, Microsoft Entra ID) is given, and the
// workspace's SCIM tokens: minted (the secret shown once), listed, revoked. A SCIM token opens
// /scim/v2 only, never /api (core/api/tokens.ts); the SCIM plugin's card in Integrations leads here.
// Every admin sees the page; only a super admin manages its tokens: a SCIM token can put anyone in
// a group that maps to a role, Super admin included, so minting one grants every role.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requireUser } from '../auth/session.ts'
import { ADMIN_ROLES, OWNER_ROLES } from '../auth/roles.ts'
import { first } from '../admin/list/index.ts'
import { redirectPage } from '../admin/errors.ts'
import { revealViews } from '../admin/reveal-once.ts'
import { ValidationError } from '../register/index.ts'
import type { Config } from '../config.ts'
import { nameMessage, revokeTokenRoute, tokenView } from './token-page.ts'
import type { DiscoveredPlugin } from '../integrations/discovery.ts'
import { pluginPageActions, renderPluginPage, SCIM_SETTINGS_PAGE, type PluginPageState } from '../integrations/plugin-page.ts'

const PAGE = SCIM_SETTINGS_PAGE
/** The one-time reveal that carries a new token's secret from the form to the page. */
const REVEAL = 'scim-token'

/** The plugin that serves the SCIM tokens the core issues: the one whose manifest declares `auth: scim-token`. */
export const scimTokenPlugin = (plugins: readonly DiscoveredPlugin[]): DiscoveredPlugin | undefined =>
  plugins.find(p => p.manifest.auth === 'scim-token')

/** The path identity providers are told when no discovered plugin serves SCIM tokens: the usual one. */
const USUAL_SCIM_PREFIX = '/scim/v2'

/**
 * The SCIM base URL, where that plugin's routes are mounted (its manifest's routesPrefix; config
 * has the base URL without a path): the same for every workspace, as the token says which one it
 * is for.
 */
export function scimTenantUrl (config: Pick<Config, 'baseUrl'>, plugins: readonly DiscoveredPlugin[]): string {
  return `${config.baseUrl}${scimTokenPlugin(plugins)?.manifest.routesPrefix ?? USUAL_SCIM_PREFIX}`
}

interface PageState {
  status?: number
  /** The name as typed, with why it was refused. */
  name?: string
  error?: string
  /** What the SCIM plugin's part of the page (provisioning log, group mappings) refused. */
  plugin?: PluginPageState
}

const scimPlugin = (app: FastifyInstance) => scimTokenPlugin(app.integrations.plugins)

/** Who mints, lists and revokes SCIM tokens. */
const TOKEN_ROLES = OWNER_ROLES

async function renderScimSettings (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, opts: PageState = {}) {
  const managesTokens = Boolean(request.user && TOKEN_ROLES.includes(request.user.role))
  const tokens = managesTokens ? await app.scimTokens.list(request.workspace.id) : []
  const now = Date.now()
  const created = request.method === 'GET' ? revealViews((await request.takeReveals([REVEAL]))[REVEAL], 'new-token') : []
  if (created.length > 0) reply.header('cache-control', 'no-store')
  return reply.code(opts.status ?? 200).view('pages/settings-scim', {
    title: 'SCIM provisioning',
    tenantUrl: scimTenantUrl(app.config, app.integrations.plugins),
    managesTokens,
    tokens: tokens.map(t => tokenView(t, now)),
    name: opts.name ?? '',
    error: opts.error,
    created,
    pluginPage: await renderPluginPage(app, request, reply, scimPlugin(app), opts.plugin)
  })
}

export default async function scimSettingsRoutes (app: FastifyInstance) {
  app.get(PAGE, { preHandler: requireUser(ADMIN_ROLES) }, async (request, reply) => renderScimSettings(app, request, reply))

  app.post(`${PAGE}/tokens`, { preHandler: requireUser(TOKEN_ROLES) }, async (request: FastifyRequest<{ Body: Record<string, unknown> | undefined }>, reply) => {
    const name = first(request.body?.name)
    try {
      const { token, secret } = await app.scimTokens.create(request.workspace.id, request.actor(), { name })
      await reply.revealOnce(REVEAL, { label: token.name, secret })
      return redirectPage(request, reply, PAGE)
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      const refused = err.errors.find(e => e.field === 'name') ?? err.errors[0]
      return renderScimSettings(app, request, reply, { status: 422, name, error: nameMessage(refused, 'the identity provider that will use it') })
    }
  })

  revokeTokenRoute(app, app.scimTokens, PAGE, TOKEN_ROLES)
  pluginPageActions(app, scimPlugin(app), async (request, reply, state) => await renderScimSettings(app, request, reply, { status: state.status, plugin: state }))
}
