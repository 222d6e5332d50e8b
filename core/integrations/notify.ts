import type { Knex } from 'knex'
import { workspaceUrl, type Config } from '../config.ts'
import type { EventListener, EventType, StoredEvent } from '../events/index.ts'
import type { Jobs } from '../jobs/index.ts'
import { findWorkspaceById } from '../tenancy/index.ts'
import { connectorContext, type ContextDeps } from './context.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import { describeEvent } from './notification-text.ts'

export const NOTIFY_JOB = 'integration.notify'
const NOTIFY_TIMEOUT_MS = 30_000

/** The plugins that take an event: they implement notify and their manifest lists the event. */
function notifyPluginsFor (plugins: DiscoveredPlugin[], type: EventType): string[] {
  return plugins.filter(p => p.connector?.notify && (p.manifest.notifies ?? []).includes(type)).map(p => p.id)
}

/** Outbox listener: one notify job per event and enabled notify plugin, each retried on its own. */
export function notifyListener (db: Knex, jobs: Jobs, plugins: DiscoveredPlugin[]): EventListener {
  return async (event: StoredEvent) => {
    // Imports are silent: a sync of 3,000 devices must not post 3,000 alerts (webhooks still get every event).
    if (event.payload.import !== undefined) return
    const candidates = notifyPluginsFor(plugins, event.type)
    if (candidates.length === 0) return
    const enabled = await db('integrations').where({ workspace_id: event.workspace_id, enabled: true }).whereIn('plugin_id', candidates).pluck('plugin_id')
    for (const pluginId of enabled) {
      await jobs.send(NOTIFY_JOB, { workspaceId: event.workspace_id, pluginId, eventId: event.id }, { singletonKey: `${event.id}:${pluginId}` })
    }
  }
}

export async function deliverNotification (deps: ContextDeps & { config: Config }, plugins: Map<string, DiscoveredPlugin>, job: { workspaceId: string, pluginId: string, eventId: string }): Promise<void> {
  const plugin = plugins.get(job.pluginId)
  const event: StoredEvent | undefined = await deps.db('events').where({ workspace_id: job.workspaceId, id: job.eventId }).first()
  const workspace = await findWorkspaceById(deps.db, job.workspaceId)
  if (!plugin?.connector?.notify || !event || !workspace) return
  const ctx = await connectorContext(deps, plugin, workspace, AbortSignal.timeout(NOTIFY_TIMEOUT_MS))
  await plugin.connector.notify(ctx, describeEvent(event, workspaceUrl(deps.config, workspace.slug)))
}
