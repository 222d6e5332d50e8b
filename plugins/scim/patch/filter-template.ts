import { ScimError } from '../errors.ts'
import type { Filter } from '../filter/index.ts'
import type { JsonObject } from './json.ts'
import { assertAllowedName } from './names.ts'

/**
 * The element a value filter describes, for an add or replace whose filter matches nothing:
 * `emails[type eq "work"].value` creates `{ type: "work", value }` (Entra relies on this). Only
 * `eq` comparisons joined by `and` describe an element; anything else is 400 noTarget.
 */
export function elementFromFilter (filter: Filter, pathText: string): JsonObject {
  const element: JsonObject = {}
  collectEqualities(filter, element, pathText)
  return element
}

function collectEqualities (filter: Filter, element: JsonObject, pathText: string): void {
  if (filter.kind === 'and') {
    for (const part of filter.filters) collectEqualities(part, element, pathText)
    return
  }
  if (filter.kind !== 'compare' || filter.operator !== 'eq' || filter.path.subAttribute !== undefined) {
    throw new ScimError(400, 'noTarget', `path "${pathText}" matches no value, and a value can only be created from "eq" comparisons joined by "and"`)
  }
  assertAllowedName(filter.path.attribute)
  if (filter.value !== null) element[filter.path.attribute] = filter.value
}
