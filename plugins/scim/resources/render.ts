import type { GroupDocument, ResourceMeta, UserDocument } from './types.ts'
import { withoutUnassigned, type JsonObject } from './values.ts'

export interface MemberRow { value: string, display?: string | null, $ref?: string | null, type?: string | null }

/** The resource answered to the client. */
export function userResource (document: UserDocument, meta: ResourceMeta): Record<string, unknown> {
  return render(document, 'User', meta)
}

/** `members` null leaves them out (excludedAttributes=members answered without reading them). */
export function groupResource (document: GroupDocument, members: MemberRow[] | null, meta: ResourceMeta): Record<string, unknown> {
  const { members: _stored, ...rest } = document
  const resource = render(rest, 'Group', meta)
  if (members === null) return resource
  // Before meta, where a client reading the JSON expects it.
  const { meta: resourceMeta, ...attributes } = resource
  return { ...attributes, members: members.map(memberOf), meta: resourceMeta }
}

function render (document: JsonObject, resourceType: 'User' | 'Group', meta: ResourceMeta): JsonObject {
  // Never answered, whatever a stored document holds: the password, and an id or meta of its own.
  const { schemas, externalId, id: _id, meta: _meta, password: _password, ...attributes } = (withoutUnassigned(document) ?? {}) as JsonObject
  return {
    schemas,
    id: meta.id,
    ...(externalId === undefined ? {} : { externalId }),
    ...attributes,
    meta: {
      resourceType,
      created: meta.created.toISOString(),
      lastModified: meta.lastModified.toISOString(),
      location: meta.location,
      version: `W/"${meta.version}"`
    }
  }
}

function memberOf (row: MemberRow): JsonObject {
  return {
    value: row.value,
    ...(row.display == null || row.display === '' ? {} : { display: row.display }),
    ...(row.$ref == null || row.$ref === '' ? {} : { $ref: row.$ref }),
    ...(row.type == null || row.type === '' ? {} : { type: row.type })
  }
}
