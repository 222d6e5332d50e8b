// Settings stored before the plugin's schema tightened a rule (or edited outside the form) are
// never used to call the vendor: ctx.http refuses every request with the schema's own words, so a
// connector needs no code of its own repeating its schema's patterns.
import { ConnectorError } from '../sdk/contract.ts'
import type { HttpClient } from './http-types.ts'
import { ruleWords, validateSettings, type SettingsSchema } from './settings-validation.ts'

/** A `config` ConnectorError naming each broken rule by the field's title, or undefined when the settings pass. */
export function settingsRefusal (pluginName: string, schema: SettingsSchema | undefined, settings: Record<string, unknown>): ConnectorError | undefined {
  if (schema === undefined) return undefined
  const errors = validateSettings(schema, structuredClone(settings)) // checked, not changed: no defaults filled in
  if (errors.length === 0) return undefined
  const words = errors.map(e => {
    const property = schema.properties?.[e.field]
    return `${typeof property?.title === 'string' ? property.title : e.field} ${ruleWords(e, property)}`
  })
  return new ConnectorError('config', `${pluginName} cannot connect with its saved settings: ${words.join(' ')} Edit them on its card and save.`)
}

/** `client` with every request refused by `refusal`, before anything is sent; `client` itself without one. */
export function refuseEveryRequest (client: HttpClient, refusal: Error | undefined): HttpClient {
  if (refusal === undefined) return client
  const refused = async function * (): AsyncGenerator<never> { throw refusal }
  return {
    request: async () => { throw refusal },
    paginate: refused,
    pages: refused
  }
}
