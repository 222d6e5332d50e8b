import { ScimError } from '../errors.ts'
import { GROUP_SCHEMA } from '../schemas.ts'
import { findKey, GROUP_ATTRIBUTES, MEMBER_ATTRIBUTES } from './canonical-names.ts'
import { canonicaliseAttributes } from './canonicalise.ts'
import type { GroupDocument, GroupMember } from './types.ts'
import { isObject, withoutUnassigned, type JsonObject } from './values.ts'

/** Read-only, or answered by the server: Entra's extra Microsoft schema URI is dropped with `schemas`. */
const IGNORED = new Set(['id', 'meta', 'schemas', 'members'])

/** Input (POST/PUT body, or a document after PATCH) → a canonical group document; throws ScimError 400. */
export function normaliseGroup (input: unknown): GroupDocument {
  if (!isObject(input)) throw new ScimError(400, 'invalidSyntax', 'a Group must be a JSON object')
  const body = (withoutUnassigned(input) ?? {}) as JsonObject
  const kept = Object.fromEntries(Object.entries(body).filter(([key]) => !IGNORED.has(key.toLowerCase())))
  const attributes = canonicaliseAttributes(kept, GROUP_ATTRIBUTES, '')
  const displayName = attributes.displayName
  if (displayName === undefined) throw ScimError.invalidValue('displayName', 'is required')
  if (typeof displayName === 'string' && displayName.trim() === '') throw ScimError.invalidValue('displayName', 'must not be blank')
  const membersKey = findKey(body, 'members')
  return { schemas: [GROUP_SCHEMA], ...attributes, members: membersOf(membersKey === undefined ? undefined : body[membersKey]) } as GroupDocument
}

/**
 * Members as `{value, display?, $ref?, type?}`, once per value. A bare string is a member's value
 * (the Microsoft collection adds "string id 1"); values are not checked against existing users.
 */
function membersOf (raw: unknown): GroupMember[] {
  if (raw === undefined) return []
  const members = new Map<string, GroupMember>()
  const items = Array.isArray(raw) ? raw : [raw]
  items.forEach((item, index) => {
    const member = memberOf(item, `members[${index}]`)
    const earlier = members.get(member.value)
    if (earlier === undefined) members.set(member.value, member)
    else members.set(member.value, { ...member, ...earlier })
  })
  return [...members.values()]
}

function memberOf (item: unknown, path: string): GroupMember {
  if (typeof item === 'string' || typeof item === 'number') return { value: String(item) }
  if (!isObject(item)) throw ScimError.invalidValue(path, 'must be an object with a value')
  const attributes = canonicaliseAttributes(item, MEMBER_ATTRIBUTES, path)
  if (attributes.value === undefined) throw ScimError.invalidValue(`${path}.value`, 'is required')
  // The Microsoft collection names the member's display `displayName` and expects to read it back.
  const displayNameKey = findKey(attributes, 'displayName')
  const display = attributes.display ?? (displayNameKey === undefined ? undefined : attributes[displayNameKey])
  const member: GroupMember = { value: attributes.value as string }
  if (typeof display === 'string') member.display = display
  if (attributes.$ref !== undefined) member.$ref = attributes.$ref as string
  if (attributes.type !== undefined) member.type = attributes.type as string
  return member
}
