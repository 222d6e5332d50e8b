// Kept apart from discovery.ts so that core/config.ts can read STOCKTAKE_PLUGIN_PATHS without
// importing discovery (and through it the connector loader and the SDK): no import cycle.
import { delimiter } from 'node:path'

/** STOCKTAKE_PLUGIN_PATHS: a ':'-separated list (';' on Windows) of plugin folders or folders of them. */
export function parsePluginPaths (value: string | undefined): string[] {
  return (value ?? '').split(delimiter).map(p => p.trim()).filter(p => p !== '')
}
