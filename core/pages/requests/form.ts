import type { ValidationError } from '../../register/index.ts'

export type Body = Record<string, unknown> | undefined
export type FieldErrors = Record<string, string>

/** A form value as typed (the first, if a name is sent twice), or '' when absent. */
export function field (body: Body, name: string): string {
  const value = body?.[name]
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : ''
}

/** The version the form was rendered with; anything but a positive whole number is missing. */
export function versionOf (body: Body): number | undefined {
  const raw = field(body, 'version')
  return /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : undefined
}

export interface FieldLabels {
  /** The field's label as the form shows it. */
  labels: Record<string, string>
  /** Friendlier words for a field and rule, keyed `field.rule`. */
  messages?: Record<string, string>
}

/**
 * The register's field errors as inline messages for the fields this form shows ("Category must
 * not be empty."); `other` collects errors about anything else, for the form's banner.
 */
export function fieldMessages (err: ValidationError, { labels, messages = {} }: FieldLabels): { errors: FieldErrors, other: string[] } {
  const errors: FieldErrors = {}
  const other: string[] = []
  for (const e of err.errors) {
    const label = labels[e.field]
    if (!label) other.push(e.message)
    else errors[e.field] ??= messages[`${e.field}.${e.rule}`] ?? `${label} ${e.message}.`
  }
  return { errors, other }
}
