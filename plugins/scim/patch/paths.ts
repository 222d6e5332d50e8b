// Turns a PATCH path (or a key of a no-path value) into the place it names in the document.
import { ScimError } from '../errors.ts'
import { parsePath, ScimSyntaxError, type Filter } from '../filter/index.ts'
import { isKnownExtensionAttribute } from './attributes.ts'
import type { JsonObject } from './json.ts'
import { assertAllowedName, findKey, sameName } from './names.ts'
import { extensionObject } from './scope.ts'
import type { PatchTarget } from './target.ts'

/** Where an operation applies. */
export interface Location {
  /** The extension URN (as PatchTarget spells it) whose object holds the attribute; undefined for the core schema. */
  scope: string | undefined
  /** Absent when the path is a schema URN alone: the operation applies to the whole scope, as with no path. */
  attribute?: string
  subAttribute?: string
  valueFilter?: Filter
  /** The path as written, for messages. */
  text: string
}

/**
 * Resolves `path`. Names without a schema URN are looked up in `scope` when given (the keys of a
 * value sent to an extension URN path); otherwise in the core schema, unless the attribute only
 * exists in, or is only known to, an extension (Entra sends `manager` bare).
 */
export function resolvePath (path: string, document: JsonObject, target: PatchTarget, scope?: string): Location {
  const text = path.trim()
  // parsePath would read "…:enterprise:2.0:User" as schema "…:enterprise:2.0", attribute "User".
  const wholeUrn = [target.coreSchema, ...target.extensions].find(urn => sameName(urn, text))
  if (wholeUrn !== undefined) return { scope: wholeUrn === target.coreSchema ? undefined : wholeUrn, text }

  const parsed = parseOrThrow(text)
  assertAllowedName(parsed.attribute)
  if (parsed.subAttribute !== undefined) assertAllowedName(parsed.subAttribute)
  const location: Location = {
    scope: parsed.schema !== undefined
      ? schemaScope(parsed.schema, text, target)
      : scope ?? implicitScope(parsed.attribute, document, target),
    attribute: parsed.attribute,
    text
  }
  if (parsed.subAttribute !== undefined) location.subAttribute = parsed.subAttribute
  if (parsed.valueFilter !== undefined) location.valueFilter = parsed.valueFilter
  return location
}

function parseOrThrow (text: string): ReturnType<typeof parsePath> {
  try {
    return parsePath(text)
  } catch (error) {
    if (error instanceof ScimSyntaxError) throw new ScimError(400, 'invalidPath', `path "${text}": ${error.message}`)
    throw error
  }
}

/** The scope a schema URN prefix names: undefined for the core schema. */
function schemaScope (schema: string, text: string, target: PatchTarget): string | undefined {
  if (sameName(schema, target.coreSchema)) return undefined
  const extension = target.extensions.find(urn => sameName(urn, schema))
  if (extension === undefined) throw new ScimError(400, 'invalidPath', `path "${text}": unknown schema "${schema}"`)
  return extension
}

function implicitScope (attribute: string, document: JsonObject, target: PatchTarget): string | undefined {
  if (findKey(document, attribute) !== undefined) return undefined
  return target.extensions.find(urn => {
    const object = extensionObject(document, urn)
    return object !== undefined && findKey(object, attribute) !== undefined
  }) ?? target.extensions.find(urn => isKnownExtensionAttribute(urn, attribute))
}
