// Loading a plugin's entry module and holding it to its manifest: the capabilities it implements
// must be exactly the ones it declares, in both directions.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { CAPABILITIES, implementedCapabilities, type Capability, type Connector } from '../sdk/contract.ts'
import type { PluginManifest } from './manifest.ts'
import { displayPath, type FileProblem } from './plugin-files.ts'

function shapeProblem (connector: Connector, name: Capability): string | null {
  const value = connector[name]
  if (name === 'tickets') {
    const tickets = value as Connector['tickets']
    return typeof tickets?.create === 'function' && typeof tickets.update === 'function' ? null : 'must be { create, update } functions'
  }
  if (name === 'page') {
    const page = value as Connector['page']
    const actions = Object.values(page?.actions ?? {})
    return typeof page?.load === 'function' && actions.every(action => typeof action === 'function') ? null : 'must be { load, actions? } functions'
  }
  if (name === 'signIn') {
    const signIn = value as Connector['signIn']
    return typeof signIn?.methods === 'function' && typeof signIn.start === 'function' && typeof signIn.finish === 'function' ? null : 'must be { methods, start, finish } functions'
  }
  if (name === 'email') {
    const email = value as Connector['email']
    return typeof email?.send === 'function' ? null : 'must be { send } functions'
  }
  return typeof value === 'function' ? null : 'must be a function'
}

/** Problems of a loaded module against its manifest; [] when it keeps the contract. */
export function connectorProblems (module: Record<string, unknown>, manifest: PluginManifest, manifestFile: string, entryFile: string): FileProblem[] {
  const entry = displayPath(entryFile)
  const connector = module.default
  if (typeof connector !== 'object' || connector === null) {
    return [{ file: entry, field: 'default export', message: 'must be defineConnector({ ... })' }]
  }
  const problems: FileProblem[] = []
  const implemented = implementedCapabilities(connector as Connector)
  const declared = manifest.capabilities ?? []
  declared.forEach((name, i) => {
    if (!implemented.includes(name)) {
      problems.push({ file: displayPath(manifestFile), field: `/capabilities/${i}`, message: `declares ${name}, but ${entry} does not implement it` })
    }
  })
  for (const name of implemented) {
    if (!declared.includes(name)) {
      problems.push({ file: displayPath(manifestFile), field: '/capabilities', message: `does not declare ${name}, but ${entry} implements it` })
      continue
    }
    const shape = shapeProblem(connector as Connector, name)
    if (shape !== null) problems.push({ file: entry, field: `default.${name}`, message: shape })
  }
  const unknown = Object.keys(connector).filter(key => !CAPABILITIES.includes(key as Capability))
  if (unknown.length > 0) {
    problems.push({ file: entry, field: 'default export', message: `has ${unknown.join(', ')}, which ${unknown.length === 1 ? 'is not a capability' : 'are not capabilities'} of the contract` })
  }
  return problems
}

/**
 * Imports a plugin's entry (under tsx, .ts works) and checks it against the manifest. Returns the
 * connector, null for a plugin without an entry (coming soon), or the problems found.
 */
export async function importConnector (plugin: { dir: string, manifest: PluginManifest }): Promise<{ connector: Connector | null, problems: FileProblem[] }> {
  if (plugin.manifest.entry === undefined) return { connector: null, problems: [] }
  const entryFile = resolve(plugin.dir, plugin.manifest.entry)
  let module: Record<string, unknown>
  try {
    module = await import(pathToFileURL(entryFile).href) as Record<string, unknown>
  } catch (err) {
    return { connector: null, problems: [{ file: displayPath(entryFile), field: '(module)', message: `cannot be imported: ${(err as Error).message}` }] }
  }
  const problems = connectorProblems(module, plugin.manifest, resolve(plugin.dir, 'manifest.json'), entryFile)
  return { connector: problems.length === 0 ? module.default as Connector : null, problems }
}
