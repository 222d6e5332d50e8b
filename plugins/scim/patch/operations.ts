// Applies one operation to the document, with or without a path.
import { ScimError } from '../errors.ts'
import { isServerAssigned } from './attributes.ts'
import { isClearing, isObject, type JsonObject } from './json.ts'
import { sameName } from './names.ts'
import type { PatchOperation } from './patch-body.ts'
import { resolvePath, type Location } from './paths.ts'
import { removeAt } from './remove.ts'
import { removeScope, tidyAttribute } from './scope.ts'
import type { PatchTarget } from './target.ts'
import { writeAt } from './write.ts'

export function applyOperation (document: JsonObject, operation: PatchOperation, target: PatchTarget): void {
  if (operation.path === undefined) {
    if (operation.op === 'remove') throw new ScimError(400, 'noTarget', '"remove" needs a "path"')
    applyToScope(document, undefined, operation, target)
  } else {
    applyAt(document, resolvePath(operation.path, document, target), operation, target)
  }
}

function applyAt (document: JsonObject, location: Location, operation: PatchOperation, target: PatchTarget): void {
  const { attribute } = location
  if (attribute === undefined) {
    if (operation.op !== 'remove') applyToScope(document, location.scope, operation, target)
    else if (location.scope !== undefined) removeScope(document, location.scope)
    else throw new ScimError(400, 'noTarget', `"remove" needs the path of an attribute, found the schema "${location.text}"`)
    return
  }
  if (location.scope === undefined && isServerAssigned(attribute)) {
    throw new ScimError(400, 'mutability', `"${attribute}" is assigned by the server and cannot be changed`)
  }
  if (operation.op === 'remove') removeAt(document, { ...location, attribute }, operation.value)
  else writeAt(document, { ...location, attribute }, operation.op, operation.value)
  tidyAttribute(document, location.scope, attribute)
}

/**
 * An operation on a set of attributes: no path (the core schema) or a path that is only an
 * extension's URN. Each key of the value is a path of its own: `active` (Okta), `name.givenName`
 * or `urn:…:enterprise:2.0:User:employeeNumber` (Entra's flag format), or an extension's URN.
 */
function applyToScope (document: JsonObject, scope: string | undefined, operation: PatchOperation, target: PatchTarget): void {
  const { value } = operation
  if (scope !== undefined && isClearing(value)) {
    removeScope(document, scope)
    return
  }
  if (!isObject(value)) {
    throw ScimError.invalidValue('value', scope === undefined ? 'must be an object of attributes when there is no path' : `of path "${scope}" must be an object of its attributes`)
  }
  for (const [name, item] of Object.entries(value)) {
    if (scope === undefined && sameName(name, 'meta')) continue
    // Okta's group rename sends {id, displayName}, the id unchanged.
    if (scope === undefined && sameName(name, 'id')) {
      if (item === target.id) continue
      throw new ScimError(400, 'mutability', `"id" cannot be changed (the resource's id is "${target.id}")`)
    }
    applyAt(document, resolvePath(name, document, target, scope), { ...operation, value: item }, target)
  }
}
