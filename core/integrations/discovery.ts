// Plugin discovery at start-up: plugins/*/manifest.json plus the folders of STOCKTAKE_PLUGIN_PATHS.
// Every manifest and settings schema is validated before any plugin code runs; on any problem the
// core refuses to start with an error naming each file and field.
import { readdir, stat } from 'node:fs/promises'
import { delimiter, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Connector } from '../sdk/contract.ts'
import { importConnector } from './connector-loader.ts'
import { displayPath, readPluginFolder, type FileProblem, type PluginFolder } from './plugin-files.ts'

export type { FileProblem, PluginFolder } from './plugin-files.ts'

export interface DiscoveredPlugin extends PluginFolder {
  /** The entry's default export; null for a coming-soon plugin without an entry. */
  connector: Connector | null
}

export class PluginDiscoveryError extends Error {
  constructor (readonly problems: FileProblem[]) {
    super(`invalid plugin${problems.length === 1 ? '' : 's'}:\n` +
      problems.map(p => `  ${p.file}: ${p.field} ${p.message}`).join('\n'))
    this.name = 'PluginDiscoveryError'
  }
}

/** The plugins folder of this repository. */
export const BUILTIN_PLUGINS_DIR = fileURLToPath(new URL('../../plugins/', import.meta.url))

/** STOCKTAKE_PLUGIN_PATHS: a ':'-separated list (';' on Windows) of plugin folders or folders of them. */
export function parsePluginPaths (value: string | undefined): string[] {
  return (value ?? '').split(delimiter).map(p => p.trim()).filter(p => p !== '')
}

export interface DiscoverOptions {
  /** Extra plugin folders, or folders whose children are plugin folders. */
  pluginDirs?: string[]
  /** The built-in plugins folder (default BUILTIN_PLUGINS_DIR); null to skip it. */
  builtinDir?: string | null
}

async function isDir (path: string): Promise<boolean> {
  return await stat(path).then(s => s.isDirectory(), () => false)
}

async function hasManifest (dir: string): Promise<boolean> {
  return await stat(join(dir, 'manifest.json')).then(s => s.isFile(), () => false)
}

/**
 * The plugin folders directly in `dir`: those with a manifest.json (a folder without one is not a
 * plugin yet). A folder whose name starts with `_` is never one: `_shared/<vendor>/` holds code the
 * plugins of one vendor share (docs/writing-a-plugin.md).
 */
export async function childPlugins (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const dirs = entries.filter(e => e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('_')).map(e => join(dir, e.name)).sort()
  const found: string[] = []
  for (const child of dirs) if (await hasManifest(child)) found.push(child)
  return found
}

/** The plugin folders to read, in order: built-ins first, then each given path. */
async function pluginFolders (options: DiscoverOptions, problems: FileProblem[]): Promise<string[]> {
  const builtin = options.builtinDir === undefined ? BUILTIN_PLUGINS_DIR : options.builtinDir
  const folders = builtin !== null && await isDir(builtin) ? await childPlugins(builtin) : []
  for (const given of options.pluginDirs ?? []) {
    const dir = resolve(given)
    if (!await isDir(dir)) {
      problems.push({ file: displayPath(dir), field: 'STOCKTAKE_PLUGIN_PATHS', message: 'is not a folder' })
    } else if (await hasManifest(dir)) {
      folders.push(dir)
    } else {
      folders.push(...await childPlugins(dir))
    }
  }
  return [...new Set(folders)]
}

/** Reads and validates every plugin without running plugin code. Throws PluginDiscoveryError. */
export async function readPlugins (options: DiscoverOptions = {}): Promise<PluginFolder[]> {
  const problems: FileProblem[] = []
  const plugins: PluginFolder[] = []
  for (const dir of await pluginFolders(options, problems)) {
    const plugin = await readPluginFolder(dir, problems)
    if (plugin === null) continue
    const first = plugins.find(p => p.id === plugin.id)
    if (first !== undefined) {
      problems.push({
        file: displayPath(join(dir, 'manifest.json')),
        field: '/id',
        message: `"${plugin.id}" is already the id of ${displayPath(join(first.dir, 'manifest.json'))}`
      })
      continue
    }
    plugins.push(plugin)
  }
  if (problems.length > 0) throw new PluginDiscoveryError(problems)
  return plugins
}

/** Imports a plugin's entry and checks its capabilities against the manifest (both ways). */
export async function loadConnector (plugin: Pick<PluginFolder, 'dir' | 'manifest'>): Promise<Connector | null> {
  const { connector, problems } = await importConnector(plugin)
  if (problems.length > 0) throw new PluginDiscoveryError(problems)
  return connector
}

/** Discovery at start-up: read and validate every plugin, then load each connector. */
export async function discoverPlugins (options: DiscoverOptions = {}): Promise<DiscoveredPlugin[]> {
  const plugins = await readPlugins(options)
  const problems: FileProblem[] = []
  const discovered: DiscoveredPlugin[] = []
  for (const plugin of plugins) {
    const loaded = await importConnector(plugin)
    problems.push(...loaded.problems)
    discovered.push({ ...plugin, connector: loaded.connector })
  }
  if (problems.length > 0) throw new PluginDiscoveryError(problems)
  return discovered
}
