// The remove operation at a path (RFC 7644 §3.5.2.2). Removing what is absent is not an error.
import { isCaseExactSubAttribute } from './attributes.ts'
import { isClearing, isObject, type JsonObject } from './json.ts'
import { toElements, withoutValues } from './multi-valued.ts'
import { findKey } from './names.ts'
import { deleteAttribute, findScope } from './scope.ts'
import { matchesValueFilter } from './value-filter.ts'
import { currentValue, filterableValue, type AttributeLocation } from './write.ts'

/**
 * `members[value eq "x"]` removes the matching elements, `emails[type eq "work"].value` the
 * sub-attribute from them, `name.familyName` one sub-attribute, and `members` the whole list;
 * unless a value is sent with a list (Entra's `[{"value": id}]`): then only those values go.
 */
export function removeAt (document: JsonObject, location: AttributeLocation, value: unknown): void {
  const { scope, attribute, subAttribute, valueFilter } = location
  const object = findScope(document, scope)
  const key = object && findKey(object, attribute)
  if (object === undefined || key === undefined) return
  if (valueFilter !== undefined) {
    const elements = filterableValue(document, location) ?? []
    const matches = elements.filter(element => matchesValueFilter(element, valueFilter, {
      isCaseExact: name => isCaseExactSubAttribute(attribute, name)
    }))
    if (subAttribute === undefined) object[key] = elements.filter(element => !matches.includes(element))
    else for (const element of matches) removeSubAttribute(element, subAttribute)
    return
  }
  const existing = currentValue(document, location)
  if (subAttribute !== undefined) {
    for (const element of Array.isArray(existing) ? existing : [existing]) removeSubAttribute(element, subAttribute)
  } else if (Array.isArray(existing) && value !== undefined && !isClearing(value)) {
    object[key] = withoutValues(attribute, existing, toElements(scope, attribute, value))
  } else {
    deleteAttribute(document, scope, attribute)
  }
}

function removeSubAttribute (element: unknown, subAttribute: string): void {
  if (!isObject(element)) return
  const key = findKey(element, subAttribute)
  if (key !== undefined) delete element[key]
}
