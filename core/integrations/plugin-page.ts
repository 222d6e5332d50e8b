// The page capability: a plugin's part of its own page (pluginPageUrl), rendered from the
// manifest's `page` template with what its `load` returns, and the actions its forms post to.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TemplateDelegate } from 'handlebars'
import { requireUser } from '../auth/session.ts'
import { ADMIN_ROLES, OWNER_ROLES } from '../auth/roles.ts'
import { first } from '../admin/list/index.ts'
import { errorPage, redirectPage } from '../admin/errors.ts'
import { ValidationError } from '../register/index.ts'
import { recordAudit } from '../audit/index.ts'
import type { PageForm, PageTools, SealedSecrets } from '../sdk/contract.ts'
import { signInUrls } from '../auth/sso/paths.ts'
import { mayConfigure } from '../auth/sso/configure-guard.ts'
import { workspaceUrl } from '../config.ts'
import { directoryTransaction } from './directory.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import type { PluginManifest } from './manifest.ts'

/** What a refused action leaves for the page: the message per field, and the form as posted. */
export interface PluginPageState {
  errors?: Record<string, string>
  form?: PageForm
}

const templates = new WeakMap<DiscoveredPlugin, TemplateDelegate>()

function templateOf (app: FastifyInstance, plugin: DiscoveredPlugin): TemplateDelegate {
  let template = templates.get(plugin)
  if (!template) {
    template = app.viewEngine.compile(plugin.pageTemplate ?? '')
    templates.set(plugin, template)
  }
  return template
}

/** The SDK's sealing, with one workspace's data key. */
export function workspaceSecrets (app: FastifyInstance, workspaceId: string): SealedSecrets {
  return {
    seal: async plaintext => await app.secrets.encrypt(workspaceId, plaintext),
    open: async sealed => await app.secrets.decrypt(workspaceId, sealed)
  }
}

function toolsFor (app: FastifyInstance, request: FastifyRequest, plugin: DiscoveredPlugin): PageTools {
  const user = request.user!
  return {
    user: { id: user.id, role: user.role },
    db: app.pluginDb(plugin.id),
    transaction: async work => await directoryTransaction(app, plugin.id, request.workspace.id, request.actor(), work, { mayChangeRoles: OWNER_ROLES.includes(user.role) }),
    secrets: workspaceSecrets(app, request.workspace.id),
    signInUrls: method => signInUrls(workspaceUrl(app.config, request.workspace.slug), plugin.id, method)
  }
}

/**
 * The core's own pages for an inbound credential it issues, by the manifest's `auth`: a plugin
 * that declares one has its part of the page shown there, below the core's sections (SCIM: the
 * tenant URL and the tokens). The core names the credential, never the plugin.
 */
export const SCIM_SETTINGS_PAGE = '/settings/scim'
const CORE_PAGES: Partial<Record<NonNullable<PluginManifest['auth']>, string>> = { 'scim-token': SCIM_SETTINGS_PAGE }

// A whole manifest, not a Pick: a DiscoveredPlugin (its auth is under .manifest) must not type-check here.
const corePage = (manifest: PluginManifest): string | undefined =>
  manifest.auth === undefined ? undefined : CORE_PAGES[manifest.auth]

/** Whether the core hosts the plugin's page itself (else the integrations routes serve it). */
export const isCoreHosted = (manifest: PluginManifest): boolean => corePage(manifest) !== undefined

/**
 * The page of a `configure: page` plugin: the core's page for its credential when the core hosts
 * it, else /settings/integrations/<id> (its settings form, then the plugin's part).
 */
export function pluginPageUrl (manifest: PluginManifest): string {
  return corePage(manifest) ?? `/settings/integrations/${manifest.id}`
}

function actionsUrl (plugin: DiscoveredPlugin): string {
  return `${pluginPageUrl(plugin.manifest)}/actions`
}

/** The plugin's part of the page as HTML (its template escapes what it prints); null for a plugin without one. */
export async function renderPluginPage (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, plugin: DiscoveredPlugin | undefined, state: PluginPageState = {}): Promise<string | null> {
  const page = plugin?.connector?.page
  if (!plugin || !page || plugin.pageTemplate === null) return null
  const ctx = await app.integrations.contextFor(plugin.id, request.workspace.id)
  const data = await page.load(ctx, toolsFor(app, request, plugin))
  return templateOf(app, plugin)({
    ...data,
    // The date helpers write the workspace's format (they read it from the root's workspace).
    workspace: { date_format: request.workspace.date_format },
    csrfToken: reply.csrfToken(),
    actionsUrl: actionsUrl(plugin),
    // A sign-in plugin's page for an admin who is not a super-admin: its actions are refused, so it shows no forms.
    readOnly: !mayConfigure(request, plugin),
    errors: state.errors ?? {},
    form: state.form ?? {}
  })
}

/** The first value of every posted field but the CSRF token. */
function formOf (body: Record<string, unknown> | undefined): PageForm {
  const form: PageForm = {}
  for (const [name, value] of Object.entries(body ?? {})) {
    if (name !== '_csrf') form[name] = first(value)
  }
  return form
}

/**
 * POST <page>/actions/<name> for admins: runs the plugin's action, audits it with the
 * message it returns, and redirects to the page with that message; or renders the page again
 * (422) with the fields it refused.
 */
export function pluginPageActions (app: FastifyInstance, plugin: DiscoveredPlugin | undefined, renderPage: (request: FastifyRequest, reply: FastifyReply, state: PluginPageState & { status: number }) => Promise<unknown>): void {
  const actions = plugin?.connector?.page?.actions
  if (!plugin || !actions) return
  app.post(`${actionsUrl(plugin)}/:action`, { preHandler: requireUser(ADMIN_ROLES) }, async (request: FastifyRequest<{ Params: { action: string }, Body: Record<string, unknown> | undefined }>, reply) => {
    const action = Object.hasOwn(actions, request.params.action) ? actions[request.params.action] : undefined
    if (!action) return errorPage(request, reply, { status: 404, title: 'Not found', message: `${plugin.manifest.name} has no action “${request.params.action}”.` })
    const form = formOf(request.body)
    try {
      const ctx = await app.integrations.contextFor(plugin.id, request.workspace.id)
      const message = await action(ctx, form, toolsFor(app, request, plugin))
      await recordAudit(app.db, request.workspace.id, request.actor(), {
        action: 'integration.page_action',
        target: { type: 'integration', id: plugin.id, label: plugin.manifest.name },
        details: { action: request.params.action, result: message }
      })
      reply.flash('success', message)
      return redirectPage(request, reply, pluginPageUrl(plugin.manifest))
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      const errors = Object.fromEntries(err.errors.map(e => [e.field, e.message]))
      return renderPage(request, reply, { status: 422, errors, form })
    }
  })
}
