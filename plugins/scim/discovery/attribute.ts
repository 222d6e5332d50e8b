// Attribute definitions of RFC 7643 §7, built with the defaults of §2.2 so the schema files only
// spell out what differs from them.

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex'
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly'
export type Returned = 'always' | 'never' | 'default' | 'request'
export type Uniqueness = 'none' | 'server' | 'global'

/** One attribute as GET /Schemas shows it; optional keys are left out rather than null. */
export type SchemaAttribute = {
  name: string
  type: AttributeType
  multiValued: boolean
  description: string
  required: boolean
  caseExact: boolean
  canonicalValues?: string[]
  referenceTypes?: string[]
  mutability: Mutability
  returned: Returned
  uniqueness: Uniqueness
  subAttributes?: SchemaAttribute[]
}

export type AttributeOptions = Partial<Omit<SchemaAttribute, 'name' | 'description'>>

/** An attribute with the RFC 7643 §2.2 defaults: a single-valued, optional, readWrite, case-insensitive string. */
export function attribute (name: string, description: string, options: AttributeOptions = {}): SchemaAttribute {
  const { canonicalValues, referenceTypes, subAttributes } = options
  return {
    name,
    type: options.type ?? (subAttributes ? 'complex' : 'string'),
    multiValued: options.multiValued ?? false,
    description,
    required: options.required ?? false,
    caseExact: options.caseExact ?? false,
    ...(canonicalValues?.length ? { canonicalValues } : {}),
    ...(referenceTypes?.length ? { referenceTypes } : {}),
    mutability: options.mutability ?? 'readWrite',
    returned: options.returned ?? 'default',
    uniqueness: options.uniqueness ?? 'none',
    ...(subAttributes ? { subAttributes } : {})
  }
}

/** A complex attribute: its type follows from having sub-attributes. */
export function complex (name: string, description: string, subAttributes: SchemaAttribute[], options: AttributeOptions = {}): SchemaAttribute {
  return attribute(name, description, { ...options, subAttributes })
}

/** A multi-valued complex attribute such as emails or members. */
export function multiValued (name: string, description: string, subAttributes: SchemaAttribute[], options: AttributeOptions = {}): SchemaAttribute {
  return attribute(name, description, { ...options, multiValued: true, subAttributes })
}

/** A schema as GET /Schemas/{id} shows it, before its `schemas` and `meta`. */
export type SchemaDefinition = {
  id: string
  name: string
  description: string
  attributes: SchemaAttribute[]
}
