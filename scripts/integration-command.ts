import type { FastifyInstance } from 'fastify'
import { systemActor, type Actor } from '../core/audit/index.ts'
import { findWorkspaceBySlug } from '../core/tenancy/index.ts'

export const INTEGRATION_USAGE = `  integration set <plugin> --workspace <slug> key=value ...
                                         save settings (validated and encrypted as on the page; a key
                                         given twice makes a list)
  integration enable|disable|disconnect <plugin> --workspace <slug>`

export const cliActor: Actor = { ...systemActor, label: 'stocktake CLI' }

export class IntegrationUsageError extends Error {}

/** Parses `key=value` arguments; a repeated key becomes a list (for multi-select settings). */
export function parseAssignments (args: string[]): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {}
  for (const arg of args) {
    const eq = arg.indexOf('=')
    if (eq <= 0) throw new IntegrationUsageError(`"${arg}" is not key=value`)
    const key = arg.slice(0, eq)
    const value = arg.slice(eq + 1)
    const existing = values[key]
    values[key] = existing === undefined ? value : [existing].flat().concat(value)
  }
  return values
}

/** `stocktake integration <action> <plugin> --workspace <slug> [key=value ...]`; returns the exit code. */
export async function integrationCommand (app: FastifyInstance, slug: string, positionals: string[]): Promise<number> {
  const [action, pluginId, ...rest] = positionals
  if (!action || !pluginId) throw new IntegrationUsageError('integration needs an action and a plugin id')
  const workspace = await findWorkspaceBySlug(app.db, slug)
  if (!workspace) throw new IntegrationUsageError(`no workspace "${slug}"`)
  const plugin = app.integrations.plugin(pluginId)
  if (!plugin) throw new IntegrationUsageError(`no plugin "${pluginId}"; installed: ${app.integrations.plugins.map(p => p.id).join(', ')}`)
  if (plugin.manifest.status === 'coming-soon') throw new IntegrationUsageError(`${plugin.manifest.name} is coming soon and cannot be configured yet`)

  switch (action) {
    case 'set': {
      const result = await app.integrations.settings.save(workspace.id, cliActor, plugin, parseAssignments(rest))
      if (!result.ok) {
        for (const e of result.errors) console.error(`${e.field}: ${e.message} (${e.rule})`)
        return 1
      }
      console.log(`Saved the settings of ${plugin.manifest.name} in "${slug}".`)
      return 0
    }
    case 'enable':
    case 'disable':
      await app.integrations.settings.setEnabled(workspace.id, cliActor, plugin, action === 'enable')
      console.log(`${plugin.manifest.name} is ${action}d in "${slug}".`)
      return 0
    case 'disconnect':
      await app.integrations.disconnect(workspace, cliActor, plugin.id)
      console.log(`${plugin.manifest.name} is disconnected from "${slug}": settings, secrets, cache and state deleted.`)
      return 0
    default:
      throw new IntegrationUsageError(`unknown integration action "${action}"`)
  }
}
