// The MDM sources of Bulk import: every discovered device-management plugin that syncs devices,
// whether it is configured in this workspace, and its latest import or preview.
import type { FastifyInstance } from 'fastify'
import type { DiscoveredPlugin, IntegrationCard, RunRow } from '../../integrations/index.ts'
import { runView, type RunView } from '../../integrations/run-view.ts'
import { validateSettings } from '../../integrations/settings-validation.ts'

export const BASE = '/bulk-import'

export interface MdmSource {
  id: string
  name: string
  description: string
  preview: boolean
  /** Connected, enabled and with settings that pass its schema (credentials saved). */
  configured: boolean
  /** Why it needs attention (after a failed test or run, until one succeeds), or null. */
  attention: string | null
  /** Where to finish the setup: its card in Settings → Integrations. */
  settingsUrl: string
  run: RunView | null
}

/** A plugin that imports devices: in the device-management category, with a sync of the device model. */
export const importsDevices = (plugin: DiscoveredPlugin): boolean =>
  plugin.manifest.status !== 'coming-soon' &&
  plugin.manifest.categories.includes('device-management') &&
  plugin.connector?.sync !== undefined &&
  (plugin.manifest.syncs ?? []).some(s => s.model === 'device')

/** The plugin, if it is an MDM source (anything else is not found on this page). */
export function mdmPlugin (app: FastifyInstance, id: string): DiscoveredPlugin | undefined {
  const plugin = app.integrations.plugin(id)
  return plugin && importsDevices(plugin) ? plugin : undefined
}

async function isConfigured (app: FastifyInstance, workspaceId: string, card: IntegrationCard): Promise<boolean> {
  if (!card.connected) return false
  const settings = await app.integrations.settings.resolve(workspaceId, card.plugin)
  return validateSettings(card.plugin.settingsSchema ?? { type: 'object' }, settings).length === 0
}

export async function isSourceConfigured (app: FastifyInstance, workspaceId: string, pluginId: string): Promise<boolean> {
  const card = (await app.integrations.cards(workspaceId)).find(c => c.plugin.id === pluginId)
  return card !== undefined && await isConfigured(app, workspaceId, card)
}

/** The latest sync run (an import or a preview) of each plugin. */
async function latestRuns (app: FastifyInstance, workspaceId: string, pluginIds: string[]): Promise<Map<string, RunRow>> {
  if (pluginIds.length === 0) return new Map()
  const rows: RunRow[] = await app.db('integration_runs')
    .distinctOn('plugin_id')
    .where({ workspace_id: workspaceId, kind: 'sync' }).whereIn('plugin_id', pluginIds)
    .orderBy([{ column: 'plugin_id' }, { column: 'created_at', order: 'desc' }])
  return new Map(rows.map(r => [r.plugin_id, r]))
}

/** A run in a Bulk import run area; `records` names what it reads ("devices", a CSV file's "rows"). */
export const sourceRunView = (pluginId: string, run: RunRow, records = 'devices'): RunView & { records: string } =>
  ({ ...runView(BASE, pluginId, run, { verb: 'Import' }), records })

export async function mdmSources (app: FastifyInstance, workspaceId: string): Promise<MdmSource[]> {
  const cards = (await app.integrations.cards(workspaceId)).filter(c => importsDevices(c.plugin))
  const runs = await latestRuns(app, workspaceId, cards.map(c => c.plugin.id))
  return await Promise.all(cards.map(async card => {
    const m = card.plugin.manifest
    const run = runs.get(m.id)
    return {
      id: m.id,
      name: m.name,
      description: m.description,
      preview: m.status === 'preview',
      configured: await isConfigured(app, workspaceId, card),
      attention: card.state.kind === 'needs-attention' ? card.state.reason : null,
      settingsUrl: m.configure === 'page' ? `/settings/${m.id}` : `/settings/integrations/${m.id}`,
      run: run ? sourceRunView(m.id, run) : null
    }
  }))
}
