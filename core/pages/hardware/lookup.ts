import type { DeviceRecord } from '../../sdk.ts'
import type { FormValues } from './form.ts'

/** Form fields a lookup fills, from the device record's fields. */
const FILLED: Array<[keyof FormValues, keyof DeviceRecord, string]> = [
  ['manufacturer', 'manufacturer', 'manufacturer'], ['model', 'model', 'model'], ['os', 'os', 'operating system'],
  ['os_version', 'osVersion', 'OS version'], ['mac_address', 'macAddress', 'MAC address'], ['warranty_end', 'warrantyEnd', 'warranty end']
]

// Vendors name raw specifications differently; these are the names the suggestions look for.
const SPEC_NAMES: Record<'cpu' | 'ram' | 'storage', string[]> = {
  cpu: ['cpu', 'processor', 'processorname', 'processortype', 'cpumodel', 'cpuname', 'chip'],
  ram: ['ram', 'memory', 'totalmemory', 'physicalmemory', 'ramgb', 'memorygb', 'totalrammb', 'physicalmemorymb', 'rammb'],
  storage: ['storage', 'disk', 'disksize', 'storagegb', 'totalstorage', 'storagecapacity', 'disksizegb', 'totalstoragegb']
}

export interface LookupOutcome {
  values: FormValues
  /** What was filled, for the message ("manufacturer, model"). */
  filled: string[]
  suggestions: Partial<Record<'cpu' | 'ram' | 'storage', string>>
  /** Every raw specification the device reported, to show. */
  specifications: Array<{ name: string, value: string }>
}

const normalise = (name: string) => name.toLowerCase().replace(/[^a-z]/g, '')

function specValue (name: string, value: unknown): string | null {
  if (typeof value === 'number') return /gb$/i.test(name) ? `${value} GB` : /mb$/i.test(name) ? `${value} MB` : String(value)
  return typeof value === 'string' && value.trim() ? value.trim() : null
}

/**
 * The form after a lookup: the device's fields fill theirs (a blank name takes the device's), and
 * CPU, RAM and storage found among its specifications are offered as suggestions only, since an
 * admin may have typed better ones.
 */
export function applyLookup (values: FormValues, device: DeviceRecord): LookupOutcome {
  const next = { ...values }
  const filled: string[] = []
  for (const [field, key, label] of FILLED) {
    const value = device[key]
    if (typeof value === 'string' && value.trim() && value !== next[field]) {
      next[field] = value.trim()
      filled.push(label)
    }
  }
  if (!next.name && device.name) {
    next.name = device.name
    filled.push('name')
  }
  const specs = Object.entries(device.specifications ?? {})
  const suggestions: LookupOutcome['suggestions'] = {}
  for (const [field, names] of Object.entries(SPEC_NAMES) as Array<[keyof typeof SPEC_NAMES, string[]]>) {
    const found = specs.find(([name, value]) => names.includes(normalise(name)) && specValue(name, value) !== null)
    const value = found ? specValue(found[0], found[1]) : null
    if (value !== null && value !== next[field]) suggestions[field] = value
  }
  return {
    values: next,
    filled,
    suggestions,
    specifications: specs.map(([name, value]) => ({ name, value: typeof value === 'object' ? JSON.stringify(value) : String(value) }))
  }
}
