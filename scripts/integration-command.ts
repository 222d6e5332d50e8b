import type { FastifyInstance } from 'fastify'
import { systemActor, type Actor } from '../core/audit/index.ts'
import { findWorkspaceBySlug } from '../core/tenancy/index.ts'

export const INTEGRATION_USAGE = `  integration set <plugin> --workspace <slug> [key=value ...] [--from-env key=VAR ...] [--from-stdin key]
                                         save settings (validated and encrypted as on the page; a key
                                         given twice makes a list); --from-env and --from-stdin take a
                                         value from an environment variable or standard input, so a
                                         secret is not in the process list
  integration enable|disable|disconnect <plugin> --workspace <slug>`

export const cliActor: Actor = { ...systemActor, label: 'stocktake CLI' }

export class IntegrationUsageError extends Error {}

/** Where `--from-env key=VAR` and `--from-stdin key` say values are. */
export interface ValueSources { fromEnv: string[], fromStdin: string[] }

/**
 * Parses `key=value` arguments, then adds the values read from elsewhere; a repeated key becomes a
 * list (for multi-select settings).
 */
export function parseAssignments (args: string[], read: Array<[string, string]> = []): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {}
  for (const [key, value] of [...args.map(splitAssignment), ...read]) {
    const existing = values[key]
    values[key] = existing === undefined ? value : [existing].flat().concat(value)
  }
  return values
}

function splitAssignment (arg: string): [string, string] {
  const eq = arg.indexOf('=')
  if (eq <= 0) throw new IntegrationUsageError(`"${arg}" is not key=value`)
  return [arg.slice(0, eq), arg.slice(eq + 1)]
}

/**
 * The values `--from-env key=VAR` and `--from-stdin key` name, read before anything opens: a
 * secret given this way never appears among the process's arguments. Standard input holds one
 * value (a final newline dropped); a variable that is unset or empty, or empty input, is an error.
 */
export async function readValues (sources: ValueSources, readStdin: () => Promise<string>, env: NodeJS.ProcessEnv = process.env): Promise<Array<[string, string]>> {
  const read: Array<[string, string]> = []
  for (const arg of sources.fromEnv) {
    const [key, name] = splitAssignment(arg)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new IntegrationUsageError(`--from-env ${arg}: "${name}" is not the name of an environment variable (key=VARIABLE_NAME)`)
    const value = env[name]
    if (value === undefined) throw new IntegrationUsageError(`--from-env ${arg}: the environment variable ${name} is not set`)
    if (value === '') throw new IntegrationUsageError(`--from-env ${arg}: the environment variable ${name} is empty`)
    read.push([key, value])
  }
  if (sources.fromStdin.length > 1) throw new IntegrationUsageError('--from-stdin: standard input holds one value; give the others with --from-env')
  for (const key of sources.fromStdin) {
    if (key === '' || key.includes('=')) throw new IntegrationUsageError(`--from-stdin ${key}: give the setting's key alone (--from-stdin webhookUrl)`)
    if (process.stdin.isTTY) console.error(`Type the value of ${key}, then Enter and Ctrl-D:`)
    const value = await readStdin()
    if (value === '') throw new IntegrationUsageError(`--from-stdin ${key}: standard input is empty`)
    read.push([key, value])
  }
  return read
}

/** `stocktake integration <action> <plugin> --workspace <slug> [key=value ...]`; returns the exit code. */
export async function integrationCommand (app: FastifyInstance, slug: string, positionals: string[], read: Array<[string, string]> = []): Promise<number> {
  const [action, pluginId, ...rest] = positionals
  if (!action || !pluginId) throw new IntegrationUsageError('integration needs an action and a plugin id')
  if (action !== 'set' && (rest.length > 0 || read.length > 0)) throw new IntegrationUsageError(`integration ${action} takes no settings`)
  const workspace = await findWorkspaceBySlug(app.db, slug)
  if (!workspace) throw new IntegrationUsageError(`no workspace "${slug}"`)
  const plugin = app.integrations.plugin(pluginId)
  if (!plugin) throw new IntegrationUsageError(`no plugin "${pluginId}"; installed: ${app.integrations.plugins.map(p => p.id).join(', ')}`)
  if (plugin.manifest.status === 'coming-soon') throw new IntegrationUsageError(`${plugin.manifest.name} is coming soon and cannot be configured yet`)

  switch (action) {
    case 'set': {
      const result = await app.integrations.settings.save(workspace.id, cliActor, plugin, parseAssignments(rest, read))
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
