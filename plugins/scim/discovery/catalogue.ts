import { ScimError } from '../errors.ts'
import { listResponse } from './list-response.ts'
import { meta } from './meta.ts'

interface Kind {
  /** The document's schema URN. */
  schema: string
  /** meta.resourceType, and the path under the tenant URL (`ResourceTypes`). */
  resourceType: string
  path: string
  /** For the 404: `Schema "urn:…" not found`. */
  noun: string
}

/**
 * A fixed set of discovery documents of one kind: all of them as a ListResponse, or one by id
 * (matched case-insensitively, like the resource paths) or 404. A copy each time, so that a caller
 * trimming attributes cannot change the next answer.
 */
export function catalogue<T extends { id: string }> (kind: Kind, definitions: readonly T[]) {
  const document = (baseUrl: string, definition: T): Record<string, unknown> => ({
    schemas: [kind.schema],
    ...structuredClone(definition),
    meta: meta(kind.resourceType, baseUrl, `${kind.path}/${definition.id}`)
  })
  return {
    all: (baseUrl: string): Record<string, unknown> => listResponse(definitions.map(definition => document(baseUrl, definition))),
    one (baseUrl: string, id: string): Record<string, unknown> {
      const definition = definitions.find(candidate => candidate.id.toLowerCase() === id.toLowerCase())
      if (definition === undefined) throw new ScimError(404, undefined, `${kind.noun} "${id}" not found`)
      return document(baseUrl, definition)
    }
  }
}
