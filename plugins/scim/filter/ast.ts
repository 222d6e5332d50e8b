// The parsed forms of a SCIM filter (RFC 7644 §3.4.2.2) and of a PATCH path (§3.5.2). Names are
// kept as written; operators are lower-cased. Inside a value path's filter, attribute names are
// relative to the value path's attribute (`type` in `emails[type eq "work"]`).

/** An attribute reference: `userName`, `name.familyName`, `urn:…:enterprise:2.0:User:manager.value`. */
export interface AttributePath {
  /** The schema URN before the attribute name, as written; absent when none was written. */
  schema?: string
  attribute: string
  subAttribute?: string
}

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le'

/** A comparison value: a JSON literal, or an unquoted word read as a string (when allowed). */
export type FilterValue = string | number | boolean | null

export interface CompareFilter {
  kind: 'compare'
  path: AttributePath
  operator: CompareOperator
  value: FilterValue
}

/** `title pr` */
export interface PresentFilter {
  kind: 'present'
  path: AttributePath
}

/** `a and b and c`: two or more filters. */
export interface AndFilter {
  kind: 'and'
  filters: Filter[]
}

export interface OrFilter {
  kind: 'or'
  filters: Filter[]
}

/** `not (…)` */
export interface NotFilter {
  kind: 'not'
  filter: Filter
}

/**
 * `emails[type eq "work"]`: some one element of `path` matches `filter`. Entra's
 * `emails[type eq "work"].value eq "x"` is read as `emails[type eq "work" and value eq "x"]`: the
 * same element must match both.
 */
export interface ValuePathFilter {
  kind: 'valuePath'
  path: AttributePath
  filter: Filter
}

export type Filter = CompareFilter | PresentFilter | AndFilter | OrFilter | NotFilter | ValuePathFilter

/**
 * A PATCH path: `members`, `name.familyName`, `urn:…:User:employeeNumber`,
 * `members[value eq "id"]`, `emails[type eq "work"].value`. With a `valueFilter`, `subAttribute`
 * is the one after the closing bracket.
 */
export interface PatchPath extends AttributePath {
  valueFilter?: Filter
}
