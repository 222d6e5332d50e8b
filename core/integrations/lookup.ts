import { normaliseSerial } from '../register/index.ts'
import { recordProblem, type DeviceRecord } from '../sdk/records.ts'
import type { Workspace } from '../tenancy/index.ts'
import { databaseCache } from './cache.ts'
import { connectorContext, type ContextDeps } from './context.ts'
import type { DiscoveredPlugin } from './discovery.ts'

const LOOKUP_TIMEOUT_MS = 20_000
/** Long enough that re-opening a form does not call the vendor again, short enough to see an MDM change the same day. */
const LOOKUP_TTL_SECONDS = 60 * 60
const MISS = { miss: true }

export interface LookupResult { pluginId: string, pluginName: string, device: DeviceRecord }

/**
 * Asks each connected lookup provider in turn for the serial; the first that knows it answers.
 * Answers (and misses) are cached per plugin with a TTL; a provider that fails is logged and
 * skipped so one broken MDM does not hide another's answer.
 */
export async function lookupSerial (deps: ContextDeps, providers: DiscoveredPlugin[], workspace: Workspace, serial: string): Promise<LookupResult | null> {
  const value = normaliseSerial(serial)
  if (value === '') return null
  const key = `lookup:serial:${value.toUpperCase()}`
  for (const plugin of providers) {
    const cache = databaseCache(deps.db, workspace.id, plugin.id)
    let device = await cache.get<DeviceRecord | typeof MISS>(key)
    if (device === undefined) {
      try {
        const ctx = await connectorContext(deps, plugin, workspace, AbortSignal.timeout(LOOKUP_TIMEOUT_MS))
        const found = await plugin.connector!.lookup!(ctx, { by: 'serial', value })
        const problem = found === null ? null : recordProblem('device', found)
        if (problem !== null) {
          deps.log.warn({ plugin: plugin.id, problem }, 'a lookup answered with an invalid device record')
          continue
        }
        device = found ?? MISS
        await cache.set(key, device, LOOKUP_TTL_SECONDS)
      } catch (err) {
        deps.log.warn({ err, plugin: plugin.id }, 'a serial lookup failed')
        continue
      }
    }
    if (!('miss' in device)) return { pluginId: plugin.id, pluginName: plugin.manifest.name, device }
  }
  return null
}
