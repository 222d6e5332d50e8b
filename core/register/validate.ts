import { Ajv, type ErrorObject } from 'ajv'
import formats from 'ajv-formats'
import { fullFormats } from 'ajv-formats/dist/formats.js'
import { unstorableFields } from '../boundary/unstorable.ts'
import { ValidationError, type FieldError } from './errors.ts'

// RFC 3339 allows the year 0000 and PostgreSQL has no year 0 ("date/time field value out of
// range"): dates and timestamps start at 0001-01-01. Four digits end them at 9999-12-31.
const fromYearOne = (format: keyof typeof fullFormats) => {
  const check = (fullFormats[format] as { validate: (text: string) => boolean }).validate
  return (text: string) => check(text) && !text.startsWith('0000')
}

/** A real calendar date written as YYYY-MM-DD, from 0001-01-01 to 9999-12-31 (what a `date` field accepts). */
export const isCalendarDate = fromYearOne('date')

/** The string formats the register's schemas use, added to an Ajv instance (the API's and the sync records' too). */
export function addRegisterFormats (instance: Ajv): Ajv {
  formats.default(instance, ['email', 'uuid'])
  return instance
    .addFormat('date', { type: 'string', validate: fromYearOne('date') })
    .addFormat('date-time', { type: 'string', validate: fromYearOne('date-time') })
    .addFormat('mac', /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i)
    .addFormat('asset-tag', ASSET_TAG)
}

/**
 * An asset tag typed by hand or imported: printable characters only (no tab, line break or other
 * control or invisible character), nor a space at either end, since a tag is read off a label and
 * searched for. Generated tags (prefix + digits) always are.
 */
// Empty passes here: minLength says so once.
export const ASSET_TAG = /^(?:[^\s\p{C}\p{Zl}\p{Zp}](?:[^\p{C}\p{Zl}\p{Zp}]*[^\s\p{C}\p{Zl}\p{Zp}])?)?$/u

const ajv = addRegisterFormats(new Ajv({ allErrors: true, allowUnionTypes: true, strict: true }))

type Json = string | number | boolean | null | Json[] | { [key: string]: Json }
export type PropertySchema = Record<string, Json>

export interface ObjectSchema {
  type: 'object'
  properties: Record<string, PropertySchema>
  required?: string[]
  additionalProperties: false
}

// Building blocks for the register's schemas; a `null`-able field also accepts '' (read as null).
export const text = (maxLength = 255): PropertySchema => ({ type: 'string', minLength: 1, maxLength })
export const optionalText = (maxLength = 255): PropertySchema => ({ type: ['string', 'null'], maxLength })
export const email: PropertySchema = { type: 'string', minLength: 1, maxLength: 320, format: 'email' }
export const date: PropertySchema = { type: ['string', 'null'], format: 'date' }
export const id: PropertySchema = { type: 'string', format: 'uuid' }
export const optionalId: PropertySchema = { type: ['string', 'null'], format: 'uuid' }
export const money: PropertySchema = { type: ['number', 'null'], minimum: 0, maximum: 9999999999.99 }
export const count = (nullable = false): PropertySchema => ({ type: nullable ? ['integer', 'null'] : 'integer', minimum: 0, maximum: 2147483647 })
export const oneOf = (values: readonly string[]): PropertySchema => ({ type: 'string', enum: [...values] })
export const jsonObject: PropertySchema = { type: 'object' }
export const version: PropertySchema = { type: 'integer', minimum: 1 }

export function objectSchema (properties: Record<string, PropertySchema>, required: string[] = []): ObjectSchema {
  return { type: 'object', properties, required, additionalProperties: false }
}

/** The same fields with none required: the schema of a partial update. */
export function patchSchema (schema: ObjectSchema): ObjectSchema {
  return { ...schema, required: [] }
}

/**
 * Compiles a schema into a function that returns the input trimmed (with '' read as null where
 * null is allowed) or throws one ValidationError listing every problem, each as {field, rule, message}.
 * Text PostgreSQL cannot store (a NUL character, at any depth, keys too) is refused here for every
 * caller of the register: API, pages, SCIM, command line.
 */
export function validator<T> (schema: ObjectSchema): (input: unknown) => T {
  const check = ajv.compile(schema)
  const nullable = new Set(Object.entries(schema.properties)
    .filter(([, p]) => Array.isArray(p.type) && p.type.includes('null')).map(([key]) => key))
  return (input: unknown): T => {
    const value = normalise(input, nullable)
    const unstorable = unstorableFields(value)
    if (!check(value) || unstorable.length > 0) throw new ValidationError(dedupe([...unstorable, ...fieldErrors(check.errors ?? [])]))
    return value as T
  }
}

function normalise (input: unknown, nullable: Set<string>): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input
  const out: Record<string, unknown> = {}
  for (const [key, raw] of Object.entries(input)) {
    if (raw === undefined) continue
    const value = typeof raw === 'string' ? raw.trim() : raw
    out[key] = value === '' && nullable.has(key) ? null : value
  }
  return out
}

const FORMAT_MESSAGES: Record<string, string> = {
  email: 'must be a valid email address',
  date: 'must be a date (YYYY-MM-DD) from 0001-01-01 to 9999-12-31',
  'date-time': 'must be a date and time (ISO 8601 with a time zone) from the year 0001 to 9999',
  uuid: 'must be an id (UUID)',
  mac: 'must be a MAC address (six pairs of hex digits, like 3C:22:FB:0A:1B:2C)',
  'asset-tag': 'must be printable characters, without tabs, line breaks or other control characters, and no space at either end'
}

/**
 * A pair of dates where the second comes after the first (purchase → warranty end), or on or
 * after it with `sameDay` (a person's start → end): the error on the later field, naming the
 * first and its value, or null. Either one unknown: nothing to compare.
 */
export function datePairError (values: Record<string, unknown>, first: { field: string, label: string }, second: { field: string },
  options: { sameDay?: boolean } = {}): FieldError | null {
  const from = values[first.field]
  const to = values[second.field]
  if (typeof from !== 'string' || typeof to !== 'string' || to > from || (options.sameDay === true && to === from)) return null
  return { field: second.field, rule: 'range', message: `must be ${options.sameDay === true ? 'on or after' : 'after'} the ${first.label} (${from})` }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text', number: 'a number', integer: 'a whole number', boolean: 'true or false', object: 'an object', array: 'a list'
}

/** Ajv's errors as {field, rule, message}, one per field and rule; `root` names the whole input. */
export function fieldErrors (errors: ErrorObject[], root = 'input'): FieldError[] {
  return dedupe(errors.map(e => fieldError(e, root)))
}

function fieldError (e: ErrorObject, root: string): FieldError {
  const path = e.instancePath.slice(1).replace(/\//g, '.')
  const at = (name: string) => (path ? `${path}.${name}` : name)
  const field = path || root
  const p = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'additionalProperties':
      return { field: at(String(p.additionalProperty)), rule: 'unknown', message: 'is not a known field' }
    case 'required':
      return { field: at(String(p.missingProperty)), rule: 'required', message: 'is required' }
    case 'format':
      return { field, rule: 'format', message: FORMAT_MESSAGES[String(p.format)] ?? `must be a valid ${String(p.format)}` }
    case 'enum':
      return { field, rule: 'enum', message: `must be one of ${(p.allowedValues as string[]).join(', ')}` }
    case 'minimum':
      return { field, rule: 'minimum', message: `must be at least ${String(p.limit)}` }
    case 'maximum':
      return { field, rule: 'maximum', message: `must be at most ${String(p.limit)}` }
    case 'minLength':
      return { field, rule: 'required', message: 'must not be empty' }
    case 'maxLength':
      return { field, rule: 'maxLength', message: `must be at most ${String(p.limit)} characters` }
    case 'type': {
      const types = String(p.type).split(',').filter(t => t !== 'null').map(t => TYPE_NAMES[t] ?? t)
      return { field, rule: 'type', message: `must be ${types.join(' or ')}` }
    }
    default:
      return { field, rule: e.keyword, message: e.message ?? 'is invalid' }
  }
}

function dedupe (errors: FieldError[]): FieldError[] {
  const seen = new Set<string>()
  return errors.filter(e => {
    const key = `${e.field}\u0000${e.rule}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
