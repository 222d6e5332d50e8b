// settings.schema.json of a plugin: checked at discovery (a JSON Schema of an object that ajv
// compiles; secrets marked writeOnly, and only at the top level, where the core encrypts them).
import { createSchemaAjv, describeAjvErrors, hostTemplateSettings, type PluginManifest, type Problem } from './manifest.ts'

interface PropertySchema { type?: string | string[], writeOnly?: boolean, format?: string, [k: string]: unknown }

const SECRET_NAME = /secret|password|passphrase|token|apikey|privatekey|credential|webhookurl/
const NOT_SECRET_NAME = /(token|auth)(url|uri|endpoint)$/

/** Whether a setting looks like a credential and so must be writeOnly (name or format: password). */
export function looksSecret (name: string, property: PropertySchema): boolean {
  const normalized = name.toLowerCase().replace(/[-_]/g, '')
  return property.format === 'password' || (SECRET_NAME.test(normalized) && !NOT_SECRET_NAME.test(normalized))
}

const ajv = createSchemaAjv()
// The schema's own words for a broken rule (settings-validation.ts reads them): a sentence, or one per keyword.
ajv.addKeyword({
  keyword: 'errorMessage',
  metaSchema: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'object', minProperties: 1, additionalProperties: { type: 'string', minLength: 1 } }] }
})
const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/

/** writeOnly below the top level: the core would store it in clear, so it is refused. */
function nestedWriteOnly (value: unknown, pointer: string, depth: number): Problem[] {
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([key, child]) => {
    const here = `${pointer}/${key}`
    if (key === 'writeOnly' && depth > 2) return [{ field: here, message: 'is only supported on top-level properties (they are the ones encrypted)' }]
    return nestedWriteOnly(child, here, depth + 1)
  })
}

/** Every problem of a settings schema, given its manifest (for allowedHosts templates); [] when sound. */
export function settingsSchemaProblems (schema: unknown, manifest: Pick<PluginManifest, 'allowedHosts'>): Problem[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [{ field: '/', message: 'must be a JSON Schema object' }]
  const root = schema as { type?: unknown, $schema?: unknown, properties?: Record<string, PropertySchema> }
  if (root.type !== 'object') return [{ field: '/type', message: 'must be "object"' }]
  if (root.$schema !== undefined && !DRAFT_07.test(String(root.$schema))) {
    return [{ field: '/$schema', message: 'must be http://json-schema.org/draft-07/schema# (or left out)' }]
  }
  if (!ajv.validateSchema(schema)) return describeAjvErrors(ajv.errors)
  try {
    ajv.compile(schema)
  } catch (err) {
    return [{ field: '/', message: `does not compile: ${(err as Error).message}` }]
  }
  const properties = root.properties ?? {}
  const problems: Problem[] = nestedWriteOnly(schema, '', 0)
  for (const [name, property] of Object.entries(properties)) {
    if (looksSecret(name, property) && property.writeOnly !== true) {
      problems.push({ field: `/properties/${name}`, message: 'looks like a secret and must carry "writeOnly": true' })
    }
    if (property.writeOnly === true && property.type !== 'string') {
      problems.push({ field: `/properties/${name}/type`, message: 'must be "string" for a writeOnly (secret) setting' })
    }
  }
  for (const name of hostTemplateSettings(manifest)) {
    if (properties[name]?.type !== 'string') {
      problems.push({ field: `/properties/${name}`, message: `must be a string setting: manifest allowedHosts uses {{${name}}}` })
    }
  }
  return problems
}
