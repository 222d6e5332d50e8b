import type { FastifyInstance } from 'fastify'
import { recordAudit, type Actor } from '../audit/index.ts'
import { findWorkspaceById, type Workspace } from '../tenancy/index.ts'
import type { ConnectorContext } from '../sdk/contract.ts'
import { sweepExpiredCache } from './cache.ts'
import { consentClient, connectorContext } from './context.ts'
import { revokeToken } from './http/oauth2-consent.ts'
import { OAuthTokenStore } from './oauth-tokens.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import { lookupSerial, type LookupResult } from './lookup.ts'
import { deliverNotification, NOTIFY_JOB, notifyListener } from './notify.ts'
import { cancelActiveRuns, cancelRun, executeRun, findActiveRuns, getRun, RUN_JOB, startRun, type RunRow, type StartRunOptions } from './runs.ts'
import { recoverRuns } from './run-recovery.ts'
import { setSchedule, startDueSyncs } from './schedule.ts'
import type { SyncDeps } from './sync-run.ts'
import type { Jobs } from '../jobs/index.ts'
import { IntegrationSettings, type IntegrationRow } from './settings.ts'
import { connectionState, type ConnectionState } from './connection-state.ts'
import { pendingReviews, settleReview, type PendingReview, type ReviewOutcome } from './removal-review.ts'
import { setRemovalGuard } from './removal-guard.ts'

export interface IntegrationCard {
  plugin: DiscoveredPlugin
  row: IntegrationRow | undefined
  /** Credentials saved and switched on: its capabilities are offered (lookup, sync). */
  connected: boolean
  /** What its card says: connected only once a test or run succeeded, needs attention after one failed. */
  state: ConnectionState
  /** It signs in with an admin's consent, and none is stored: its card offers Connect (or Reconnect). */
  awaitingConsent: boolean
  /** Removals a run's mass-removal guard held: "Needs review" on the card, apart from its connection state. */
  review: PendingReview | null
}

/** The plugin signs in with an admin's consent (grant authorization_code). */
export const needsConsent = (plugin: DiscoveredPlugin): boolean => plugin.manifest.oauth2?.grant === 'authorization_code'

const SWEEP_JOB = 'integration.cache-sweep'
const SCHEDULE_JOB = 'integration.schedule'

/** The integrations of every workspace: settings, Test connection runs, notifications, disconnect. */
export class Integrations {
  readonly plugins: DiscoveredPlugin[]
  readonly settings: IntegrationSettings
  /** The tokens admins' consents gave (grant authorization_code). */
  readonly tokens: OAuthTokenStore
  private readonly byId: Map<string, DiscoveredPlugin>
  private readonly deps: SyncDeps & { jobs: Jobs }

  constructor (private readonly app: FastifyInstance, plugins: DiscoveredPlugin[], dispatcher?: unknown) {
    this.plugins = [...plugins].sort((a, b) => a.manifest.name.localeCompare(b.manifest.name))
    this.byId = new Map(plugins.map(p => [p.id, p]))
    this.settings = new IntegrationSettings(app.db, app.secrets)
    this.tokens = new OAuthTokenStore(app.db, app.secrets)
    this.deps = { db: app.db, settings: this.settings, log: app.log, dispatcher, events: app.events, jobs: app.jobs, tokens: this.tokens }

    app.jobs.define<{ workspaceId: string, runId: string }>({
      name: RUN_JOB, retryLimit: 0, handler: async ({ workspaceId, runId }) => { await executeRun(this.deps, this.byId, workspaceId, runId) }
    })
    app.jobs.define<{ workspaceId: string, pluginId: string, eventId: string }>({
      name: NOTIFY_JOB, retryLimit: 5, handler: async job => { await deliverNotification({ ...this.deps, config: app.config }, this.byId, job) }
    })
    app.jobs.define({ name: SWEEP_JOB, policy: 'singleton', cron: '*/15 * * * *', handler: async () => { await sweepExpiredCache(app.db) } })
    app.jobs.define({ name: SCHEDULE_JOB, policy: 'singleton', cron: '* * * * *', handler: async () => { await startDueSyncs(app.db, app.jobs, this.byId) } })
    app.events.subscribe(notifyListener(app.db, app.jobs, this.plugins))
    app.jobs.onRecover(async (trx, gone) => { await recoverRuns(trx, app.jobs, gone) })
  }

  /** The core's own sources (CSV imports): their runs execute, cancel and recover as a plugin's do; no card lists them. */
  addSources (sources: DiscoveredPlugin[]): void {
    for (const source of sources) this.byId.set(source.id, source)
  }

  plugin (id: string): DiscoveredPlugin | undefined {
    return this.byId.get(id)
  }

  /** What a plugin's routes see for one workspace (settings, http, cache…): built per request. */
  async contextFor (pluginId: string, workspaceId: string): Promise<ConnectorContext> {
    const plugin = this.byId.get(pluginId)
    const workspace = await findWorkspaceById(this.app.db, workspaceId)
    if (!plugin || !workspace) throw new Error(`no plugin ${pluginId} or workspace ${workspaceId}`)
    return await connectorContext(this.deps, plugin, workspace, AbortSignal.timeout(60_000))
  }

  async cards (workspaceId: string): Promise<IntegrationCard[]> {
    const rows = new Map((await this.settings.list(workspaceId)).map(r => [r.plugin_id, r]))
    const [consented, reviews] = [await this.tokens.consented(workspaceId), await pendingReviews(this.app.db, workspaceId)]
    return this.plugins.map(plugin => {
      const row = rows.get(plugin.id)
      const awaitingConsent = needsConsent(plugin) && !consented.has(plugin.id)
      return {
        plugin,
        row,
        connected: Boolean(row?.enabled && plugin.manifest.status !== 'coming-soon') && !awaitingConsent,
        state: connectionState(plugin, row, { awaitingConsent }),
        awaitingConsent,
        review: reviews.get(plugin.id) ?? null
      }
    })
  }

  /** The consent block and a sender to the vendor's token endpoints, for the Connect button and its callback. */
  async consentClient (workspace: Workspace, pluginId: string, signal: AbortSignal): Promise<Awaited<ReturnType<typeof consentClient>>> {
    const plugin = this.byId.get(pluginId)
    if (!plugin) throw new Error(`unknown plugin ${pluginId}`)
    return await consentClient(this.deps, plugin, workspace, signal)
  }

  /** Revokes the consented tokens where the vendor has a revocation endpoint (RFC 7009); a failure is logged, never blocks Disconnect. */
  private async revokeConsent (workspace: Workspace, plugin: DiscoveredPlugin): Promise<boolean> {
    if (!needsConsent(plugin)) return false
    try {
      const tokens = await this.tokens.read(workspace.id, plugin.id)
      if (tokens === null) return false
      const client = await consentClient(this.deps, plugin, workspace, AbortSignal.timeout(30_000))
      if ('notConfigured' in client) return false
      // Revoking the refresh token ends the grant (and its access tokens) at most vendors; the access token too for the others.
      const refreshed = tokens.refreshToken === null ? false : await revokeToken(client.consent, client.send, tokens.refreshToken, 'refresh_token')
      const accessed = await revokeToken(client.consent, client.send, tokens.accessToken, 'access_token')
      return refreshed || accessed
    } catch (err) {
      this.app.log.warn({ err: { name: (err as Error).name }, plugin: plugin.id }, 'the vendor\'s tokens could not be revoked while disconnecting')
      return false
    }
  }

  /** Connected plugins that can look a device up by serial (the hardware form's button). */
  async lookupProviders (workspaceId: string): Promise<Array<{ id: string, name: string }>> {
    return (await this.connectedWith(workspaceId, 'lookup')).map(p => ({ id: p.id, name: p.manifest.name }))
  }

  async lookup (workspace: Workspace, serial: string): Promise<LookupResult | null> {
    return await lookupSerial(this.deps, await this.connectedWith(workspace.id, 'lookup'), workspace, serial)
  }

  private async connectedWith (workspaceId: string, capability: 'lookup' | 'sync'): Promise<DiscoveredPlugin[]> {
    return (await this.cards(workspaceId)).filter(c => c.connected && c.plugin.connector?.[capability]).map(c => c.plugin)
  }

  async test (workspaceId: string, pluginId: string, options: StartRunOptions = {}): Promise<RunRow> {
    return await startRun(this.app.db, this.app.jobs, workspaceId, pluginId, 'test', options)
  }

  /** Queues Sync now (or, with dryRun, a preview that writes nothing); one run per plugin at a time. */
  async sync (workspaceId: string, pluginId: string, options: StartRunOptions = {}): Promise<RunRow> {
    return await startRun(this.app.db, this.app.jobs, workspaceId, pluginId, 'sync', options)
  }

  /** Executes a queued (or due) run in this process, unless a worker has claimed it already. */
  async executeNow (workspaceId: string, runId: string): Promise<void> {
    await executeRun(this.deps, this.byId, workspaceId, runId)
  }

  async schedule (workspaceId: string, actor: Actor, pluginId: string, minutes: number | null): Promise<void> {
    const plugin = this.byId.get(pluginId)
    if (!plugin) throw new Error(`unknown plugin ${pluginId}`)
    await setSchedule(this.app.db, workspaceId, actor, plugin, minutes)
  }

  async run (workspaceId: string, runId: string): Promise<RunRow | undefined> {
    return await getRun(this.app.db, workspaceId, runId)
  }

  /** The plugin's runs in progress (queued, running or waiting to retry: a sync and a test at most), shown with Cancel on its card. */
  async activeRuns (workspaceId: string, pluginId: string): Promise<RunRow[]> {
    return await findActiveRuns(this.app.db, workspaceId, pluginId)
  }

  /** Cancel on a run's card (a run of this plugin, or undefined): `cancelled` is false when it had already ended. */
  async cancel (workspaceId: string, actor: Actor, pluginId: string, runId: string): Promise<{ run: RunRow, cancelled: boolean } | undefined> {
    return await cancelRun(this.app.db, this.app.jobs, workspaceId, actor, pluginId, runId, this.byId.get(pluginId)?.manifest.name ?? pluginId)
  }

  /** The removals of the plugin's latest run that needs review, or null. */
  async review (workspaceId: string, pluginId: string): Promise<PendingReview | null> {
    return (await pendingReviews(this.app.db, workspaceId, pluginId)).get(pluginId) ?? null
  }

  /** Confirm removals or Dismiss on a run of the plugin that needs review (undefined: no such run in the workspace). */
  async settleReview (workspaceId: string, actor: Actor, pluginId: string, runId: string, decision: 'confirm' | 'dismiss'): Promise<ReviewOutcome | undefined> {
    const plugin = this.byId.get(pluginId)
    if (!plugin) return undefined
    return await settleReview(this.app.db, this.deps, workspaceId, actor, plugin, runId, decision)
  }

  /** The share of the plugin's records a run may remove without review (percent, 0–100). */
  async setRemovalGuard (workspaceId: string, actor: Actor, pluginId: string, percent: number): Promise<boolean> {
    return await setRemovalGuard(this.app.db, workspaceId, actor, this.byId.get(pluginId)?.manifest.name ?? pluginId, pluginId, percent)
  }

  /**
   * Cancels the plugin's run in progress (so it stops before its credentials go), calls the plugin's
   * disconnect (revoking vendor tokens), then deletes its settings, secrets, cache and checkpoints,
   * keeping the run history and the audit trail.
   */
  async disconnect (workspace: Workspace, actor: Actor, pluginId: string): Promise<void> {
    const plugin = this.byId.get(pluginId)
    const name = plugin?.manifest.name ?? pluginId
    const cancelled = await cancelActiveRuns(this.app.db, this.app.jobs, workspace.id, pluginId, `Cancelled: ${name} was disconnected by ${actor.label}.`)
    if (plugin?.connector?.disconnect && (await this.settings.get(workspace.id, pluginId))) {
      try {
        await plugin.connector.disconnect(await connectorContext(this.deps, plugin, workspace, AbortSignal.timeout(30_000)))
      } catch (err) {
        this.app.log.warn({ err, plugin: pluginId }, 'the plugin could not revoke its vendor access while disconnecting')
      }
    }
    const revoked = plugin !== undefined && await this.revokeConsent(workspace, plugin)
    await this.app.db.transaction(async trx => {
      const scope = { workspace_id: workspace.id, plugin_id: pluginId }
      await this.tokens.forget(workspace.id, pluginId, trx)
      await trx('integrations').where(scope).delete()
      await trx('integration_cache').where(scope).delete()
      await trx('integration_state').where(scope).delete()
      // A sign-in plugin's links of people to the provider's subjects: a provider set up again starts afresh.
      await trx('sign_in_identities').where(scope).delete()
      await recordAudit(trx, workspace.id, actor, {
        action: 'integration.disconnected',
        target: { type: 'integration', id: pluginId, label: name },
        details: cancelled.length > 0 || revoked ? { ...(cancelled.length > 0 ? { cancelled_runs: cancelled } : {}), ...(revoked ? { tokens_revoked: true } : {}) } : null
      })
    })
  }
}
