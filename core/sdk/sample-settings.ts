// Filled-in settings generated from a settings schema, for the conformance suite's card checks:
// every secret gets a unique, recognisable value so a leak into rendered HTML can be spotted.
import { randomBytes } from 'node:crypto'
import type { SettingsSchema } from '../integrations/settings-validation.ts'

interface Prop { type?: string | string[], format?: string, enum?: unknown[], minimum?: number, items?: Prop, oneOf?: Array<{ const?: unknown }>, writeOnly?: boolean }

function sampleValue (name: string, prop: Prop, marker: string): unknown {
  const type = Array.isArray(prop.type) ? prop.type[0] : prop.type
  const options = prop.enum ?? prop.oneOf?.map(o => o.const)
  if (type === 'array') return prop.items?.enum ?? prop.items?.oneOf?.map(o => o.const) ?? [`${name}-${marker}`]
  if (options !== undefined) return options[0]
  if (type === 'boolean') return true
  if (type === 'integer' || type === 'number') return prop.minimum ?? 1
  if (prop.format === 'uri' || prop.format === 'url') return `https://example.com/${name}/${marker}`
  if (prop.format === 'email') return `${name}.${marker}@example.com`
  return `${name}-${marker}`
}

/** Settings with a value for every property; `secrets` lists the values that must never be shown. */
export function sampleSettings (schema: SettingsSchema): { settings: Record<string, unknown>, secrets: string[] } {
  const settings: Record<string, unknown> = {}
  const secrets: string[] = []
  for (const [name, prop] of Object.entries((schema.properties ?? {}) as Record<string, Prop>)) {
    const marker = `secret${randomBytes(6).toString('hex')}`
    settings[name] = sampleValue(name, prop, marker)
    if (prop.writeOnly === true) secrets.push(String(settings[name]))
  }
  return { settings, secrets }
}
