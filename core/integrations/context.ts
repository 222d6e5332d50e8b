import type { FastifyBaseLogger } from 'fastify'
import type { Knex } from 'knex'
import { recordAudit, type Actor } from '../audit/index.ts'
import type { ConnectorContext } from '../sdk/contract.ts'
import type { Workspace } from '../tenancy/index.ts'
import { databaseCache } from './cache.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import { createHttpClient } from './http.ts'
import type { OutboundCall } from './http-types.ts'
import { resolveHeaderAuth } from './http/header-auth.ts'
import { requireSignIn } from './http/oauth2.ts'
import { resolveAllowedHosts, resolveOAuth2 } from './manifest.ts'
import { privateHosts } from './private-hosts.ts'
import { redactingLogger } from './redacting-log.ts'
import { secretFields } from './settings-validation.ts'
import type { IntegrationSettings } from './settings.ts'

export interface ContextDeps {
  db: Knex
  settings: IntegrationSettings
  log: FastifyBaseLogger
  /** Test hook: an undici dispatcher that routes vendor calls to a local fake. */
  dispatcher?: unknown
}

export const pluginActor = (plugin: DiscoveredPlugin): Actor => ({ type: 'plugin', id: plugin.id, label: plugin.manifest.name })

/**
 * The URL paths that are themselves secrets (a Slack webhook URL is one), so the audit entry of an
 * outbound call never records them.
 */
function secretPaths (plugin: DiscoveredPlugin, settings: Record<string, unknown>): string[] {
  return secretFields(plugin.settingsSchema ?? { type: 'object' }).flatMap(name => {
    try {
      const { pathname } = new URL(String(settings[name]))
      return pathname.length > 1 ? [pathname] : []
    } catch {
      return []
    }
  })
}

async function setBadgeCount (db: Knex, workspaceId: string, pluginId: string, count: number | null): Promise<void> {
  if (count !== null && (!Number.isInteger(count) || count < 0)) throw new TypeError('a badge count must be a whole number of at least 0, or null')
  await db('integrations').insert({ workspace_id: workspaceId, plugin_id: pluginId, badge_count: count })
    .onConflict(['workspace_id', 'plugin_id']).merge(['badge_count'])
}

/**
 * What a connector sees for one workspace: its settings (secrets decrypted), http (signed in with the
 * manifest's oauth2 block when it has one; private addresses refused but for the hosts the operator
 * allowed the workspace), cache, log, signal.
 */
export async function connectorContext (deps: ContextDeps, plugin: DiscoveredPlugin, workspace: Workspace, signal: AbortSignal): Promise<ConnectorContext> {
  const settings = await deps.settings.resolve(workspace.id, plugin)
  const hidden = secretPaths(plugin, settings)
  const actor = pluginActor(plugin)
  const audit = async (call: OutboundCall) => {
    const path = hidden.some(p => call.path.startsWith(p)) ? '[secret path]' : call.path
    await recordAudit(deps.db, workspace.id, actor, {
      action: 'integration.http_call',
      target: { type: 'integration', id: plugin.id, label: plugin.manifest.name },
      outcome: call.status !== null && call.status < 400 ? 'success' : 'failure',
      details: { ...call, path }
    })
  }
  const oauth2 = resolveOAuth2(plugin.manifest, settings, plugin.settingsSchema)
  const headerAuth = resolveHeaderAuth(plugin.manifest, settings, plugin.settingsSchema)
  return {
    workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name },
    settings,
    http: requireSignIn(createHttpClient({
      allowedHosts: resolveAllowedHosts(plugin.manifest.allowedHosts ?? [], settings),
      allowPrivateHosts: await privateHosts(deps.db, workspace.id),
      workspace: workspace.slug,
      oauth2: oauth2.credentials,
      headerAuth: headerAuth.header,
      rateLimit: plugin.manifest.rateLimit,
      signal,
      onCall: audit, // token requests too: method, host, path and status only, never the form
      dispatcher: deps.dispatcher
    }), oauth2.notConfigured ?? headerAuth.notConfigured),
    cache: databaseCache(deps.db, workspace.id, plugin.id),
    badge: { setCount: count => setBadgeCount(deps.db, workspace.id, plugin.id, count) },
    log: redactingLogger(deps.log.child({ plugin: plugin.id, workspace: workspace.slug }), [...secretFields(plugin.settingsSchema ?? { type: 'object' }).map(name => settings[name]), ...headerAuth.secrets]),
    signal
  }
}
