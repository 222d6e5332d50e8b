import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { unstorableFields } from '../boundary/unstorable.ts'

export interface SettingsFieldError {
  field: string
  rule: string
  message: string
  /** The message is the schema author's (`errorMessage`), written to follow the field's title. */
  authored?: boolean
}

export interface SettingsSchema {
  type: 'object'
  properties?: Record<string, { writeOnly?: boolean, type?: string | string[], [k: string]: unknown }>
  required?: string[]
  [k: string]: unknown
}

// 'array' coercion: a form posts one checkbox as a string and several as an array. verbose: each
// error carries the schema object it broke, where the author's `errorMessage` is read.
const ajv = new Ajv({ allErrors: true, coerceTypes: 'array', useDefaults: true, strict: false, verbose: true })
addFormats.default(ajv)
const compiled = new WeakMap<SettingsSchema, ValidateFunction>()

/** The top-level fields a schema marks `writeOnly`: stored encrypted, never rendered back. */
export function secretFields (schema: SettingsSchema): string[] {
  return Object.entries(schema.properties ?? {}).filter(([, p]) => p.writeOnly === true).map(([name]) => name)
}

/**
 * Validates (and coerces, and fills defaults into) settings; returns every problem by field, text
 * that cannot be stored (a NUL character) included, named by its top-level setting.
 */
export function validateSettings (schema: SettingsSchema, values: Record<string, unknown>): SettingsFieldError[] {
  let validate = compiled.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    compiled.set(schema, validate)
  }
  const unstorable = unstorableFields(values, '(settings)').map(e => ({ ...e, field: e.field.split('.')[0] }))
  const refused = new Set(unstorable.map(e => e.field))
  // An `if` that failed its `then` (or `else`) is reported after that branch's own errors, which
  // already name the field and the rule: only those are shown, once, on their field.
  const invalid = validate(values) ? [] : (validate.errors ?? []).filter(e => e.keyword !== 'if').map(toFieldError)
  return [...unstorable, ...invalid.filter(e => !refused.has(e.field))]
}

function toFieldError (e: ErrorObject): SettingsFieldError {
  const params = e.params as Record<string, unknown>
  const field = e.keyword === 'required'
    ? String(params.missingProperty)
    : e.keyword === 'additionalProperties'
      ? String(params.additionalProperty)
      : e.instancePath.replace(/^\//, '').split('/')[0] || '(settings)'
  const rule = e.keyword === 'additionalProperties' ? 'unknown' : e.keyword
  const authored = authoredMessage(e, field)
  if (authored !== undefined) return { field, rule, message: authored, authored: true }
  const message = e.keyword === 'required'
    ? 'is required'
    : e.keyword === 'additionalProperties' ? 'is not a setting of this integration' : e.message ?? 'is invalid'
  return { field, rule, message }
}

/**
 * A schema's own words for a broken rule: `"errorMessage": "…"` beside the keyword (every rule of
 * that schema object), or `"errorMessage": { "pattern": "…", "required": "…" }` per keyword. A
 * missing property's message is read from the property's schema (its `required` entry).
 */
function authoredMessage (e: ErrorObject, field: string): string | undefined {
  const parent = e.keyword === 'required'
    ? (e.parentSchema as SettingsSchema | undefined)?.properties?.[field]
    : e.parentSchema as Record<string, unknown> | undefined
  const words = parent?.errorMessage
  if (typeof words === 'string') return e.keyword === 'required' ? undefined : words
  if (words !== null && typeof words === 'object') {
    const own = (words as Record<string, unknown>)[e.keyword]
    return typeof own === 'string' ? own : undefined
  }
  return undefined
}

/**
 * A broken rule in plain words, to follow the field's title: the schema author's words when it
 * has them (`errorMessage`), else a sentence per keyword — never the validator's pattern text.
 */
export function ruleWords (e: SettingsFieldError, property?: { type?: unknown, format?: unknown }): string {
  if (e.authored === true) return `${e.message.replace(/\.$/, '')}.`
  switch (e.rule) {
    case 'required': return 'is required.'
    case 'pattern':
    case 'format': return property?.format === 'uri' ? 'is not a valid URL of the expected form.' : 'is not in the expected format.'
    case 'enum':
    case 'const':
    case 'oneOf':
    case 'anyOf': return 'must be one of the listed choices.'
    case 'type': return property?.type === 'integer' ? 'must be a whole number.' : property?.type === 'number' ? 'must be a number.' : 'has the wrong kind of value.'
    case 'unknown': return 'is not a setting of this integration.'
    default: return `${e.message.replace(/\.$/, '')}.`
  }
}
