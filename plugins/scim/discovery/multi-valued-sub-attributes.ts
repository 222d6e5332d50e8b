// The display, type and primary sub-attributes that RFC 7643 §2.4 gives most multi-valued attributes.
import { attribute, type SchemaAttribute } from './attribute.ts'

export function display (): SchemaAttribute {
  return attribute('display', 'A human-readable name, primarily used for display purposes. READ-ONLY.')
}

export function typeLabel (description: string, canonicalValues?: string[]): SchemaAttribute {
  return attribute('type', description, { canonicalValues })
}

export function primary (description = "A Boolean value indicating the 'primary' or preferred attribute value for this attribute. The primary attribute value 'true' MUST appear no more than once."): SchemaAttribute {
  return attribute('primary', description, { type: 'boolean' })
}
