import type { FastifyBaseLogger } from 'fastify'
import type { Knex } from 'knex'
import { recordAudit, type Actor } from '../audit/index.ts'
import type { ConnectorContext } from '../sdk/contract.ts'
import type { Workspace } from '../tenancy/index.ts'
import { databaseCache } from './cache.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import { createHttpClient, createTokenSender } from './http.ts'
import type { HttpClientOptions, OutboundCall } from './http-types.ts'
import { resolveHeaderAuth } from './http/header-auth.ts'
import { requireSignIn, type TokenSender } from './http/oauth2.ts'
import { noConsentTokens, type OAuth2Consent } from './http/oauth2-consent.ts'
import { connectionColumns } from './connection-state.ts'
import { resolveAllowedHosts, resolveOAuth2 } from './manifest.ts'
import { storedTokenSource, type OAuthTokenStore } from './oauth-tokens.ts'
import { netEgress } from './net-egress.ts'
import { privateHosts } from './private-hosts.ts'
import { redactingLogger } from './redacting-log.ts'
import { refuseEveryRequest, settingsRefusal } from './settings-refusal.ts'
import { secretFields } from './settings-validation.ts'
import type { IntegrationSettings } from './settings.ts'

export interface ContextDeps {
  db: Knex
  settings: IntegrationSettings
  log: FastifyBaseLogger
  /** Test hook: an undici dispatcher that routes vendor calls to a local fake. */
  dispatcher?: unknown
  /** The tokens of consented integrations (grant authorization_code). */
  tokens?: OAuthTokenStore
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

/** ctx.http's options for one workspace but its sign-in: hosts, private hosts, rate limit, the audit of each call. */
async function egressOptions (deps: ContextDeps, plugin: DiscoveredPlugin, workspace: Workspace, settings: Record<string, unknown>, signal: AbortSignal): Promise<HttpClientOptions> {
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
  return {
    allowedHosts: resolveAllowedHosts(plugin.manifest.allowedHosts ?? [], settings),
    allowPrivateHosts: await privateHosts(deps.db, workspace.id),
    workspace: workspace.slug,
    rateLimit: plugin.manifest.rateLimit,
    signal,
    onCall: audit, // token requests too: method, host, path and status only, never the form
    dispatcher: deps.dispatcher
  }
}

/** Marks the integration "Needs attention" with `reason` (the card then offers Reconnect). */
async function needsAttention (db: Knex, workspaceId: string, pluginId: string, reason: string): Promise<void> {
  await db('integrations').where({ workspace_id: workspaceId, plugin_id: pluginId }).update(connectionColumns(db, false, reason))
}

/**
 * What a connector sees for one workspace: its settings (secrets decrypted), http (signed in with the
 * manifest's oauth2 block when it has one — client credentials, or the tokens an admin's consent
 * gave; private addresses refused but for the hosts the operator allowed the workspace), cache,
 * log, signal.
 */
export async function connectorContext (deps: ContextDeps, plugin: DiscoveredPlugin, workspace: Workspace, signal: AbortSignal): Promise<ConnectorContext> {
  const settings = await deps.settings.resolve(workspace.id, plugin)
  const oauth2 = resolveOAuth2(plugin.manifest, settings, plugin.settingsSchema)
  const headerAuth = resolveHeaderAuth(plugin.manifest, settings, plugin.settingsSchema)
  const consent = oauth2.consent
  const store = deps.tokens
  const egress = await egressOptions(deps, plugin, workspace, settings, signal)
  const tokenSource = consent === undefined || store === undefined
    ? undefined
    : (send: TokenSender) => storedTokenSource({
        store,
        workspaceId: workspace.id,
        pluginId: plugin.id,
        pluginName: plugin.manifest.name,
        consent,
        onRefused: async reason => { await needsAttention(deps.db, workspace.id, plugin.id, reason) }
      }, send)
  return {
    workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name },
    settings,
    http: refuseEveryRequest(requireSignIn(createHttpClient({
      ...egress,
      oauth2: oauth2.credentials,
      tokenSource,
      headerAuth: headerAuth.header
    }), oauth2.notConfigured ?? headerAuth.notConfigured ?? (consent !== undefined && tokenSource === undefined ? noConsentTokens(plugin.manifest.name) : undefined)), settingsRefusal(plugin.manifest.name, plugin.settingsSchema ?? undefined, settings)),
    cache: databaseCache(deps.db, workspace.id, plugin.id),
    badge: { setCount: count => setBadgeCount(deps.db, workspace.id, plugin.id, count) },
    log: redactingLogger(deps.log.child({ plugin: plugin.id, workspace: workspace.slug }), [...secretFields(plugin.settingsSchema ?? { type: 'object' }).map(name => settings[name]), ...headerAuth.secrets]),
    signal,
    net: netEgress(egress)
  }
}

/**
 * The consent block of a plugin for one workspace and a sender to its token and revocation
 * endpoints through the egress client; `notConfigured` when a setting it needs is not set.
 */
export async function consentClient (deps: ContextDeps, plugin: DiscoveredPlugin, workspace: Workspace, signal: AbortSignal): Promise<{ consent: OAuth2Consent, send: TokenSender, allowedHosts: string[] } | { notConfigured: Error }> {
  const settings = await deps.settings.resolve(workspace.id, plugin)
  const oauth2 = resolveOAuth2(plugin.manifest, settings, plugin.settingsSchema)
  if (oauth2.consent === undefined) return { notConfigured: oauth2.notConfigured ?? new Error(`${plugin.manifest.name} does not sign in with consent.`) }
  const options = await egressOptions(deps, plugin, workspace, settings, signal)
  return { consent: oauth2.consent, send: createTokenSender(options), allowedHosts: options.allowedHosts }
}
