import { ScimError } from '../errors.ts'
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from '../schemas.ts'
import { ENTERPRISE_ATTRIBUTES, findKey, USER_ATTRIBUTES } from './canonical-names.ts'
import { canonicaliseAttributes } from './canonicalise.ts'
import type { EnterpriseUser, UserDocument } from './types.ts'
import { validateUser } from './validate-user.ts'
import { isObject, withoutUnassigned, type JsonObject } from './values.ts'

/** The URN as Entra's documented sample misspells it. */
const ENTERPRISE_SCHEMA_TYPO = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'

/** Read-only or never stored: the server's id and meta, Okta's password placeholder and groups: []. */
const IGNORED = new Set(['id', 'meta', 'password', 'groups', 'schemas'])

const URN_TARGETS: Array<[prefix: string, target: 'core' | 'enterprise']> = [
  [ENTERPRISE_SCHEMA.toLowerCase(), 'enterprise'],
  [ENTERPRISE_SCHEMA_TYPO.toLowerCase(), 'enterprise'],
  [USER_SCHEMA.toLowerCase(), 'core']
]

/** Input (POST/PUT body, or a document after PATCH) → a canonical user document; throws ScimError 400. */
export function normaliseUser (input: unknown): UserDocument {
  if (!isObject(input)) throw new ScimError(400, 'invalidSyntax', 'a User must be a JSON object')
  const { core, enterprise, schemas } = separate((withoutUnassigned(input) ?? {}) as JsonObject)
  const attributes = canonicaliseAttributes(core, USER_ATTRIBUTES, '')
  const extension = enterpriseExtension(enterprise)
  const document: JsonObject = {
    schemas: schemaList(schemas, extension !== undefined),
    ...attributes,
    active: attributes.active ?? true,
    ...(extension === undefined ? {} : { [ENTERPRISE_SCHEMA]: extension })
  }
  validateUser(document)
  return document as UserDocument
}

/**
 * Splits the body into core and enterprise attributes. Extension attributes may come under the
 * URN key or flattened (`urn:…:enterprise:2.0:User:department`), core ones URN-prefixed or dotted
 * (`name.givenName`, as Entra's PATCH values are written).
 */
function separate (body: JsonObject): { core: JsonObject, enterprise: JsonObject, schemas: unknown } {
  const core: JsonObject = {}
  const enterprise: JsonObject = {}
  let schemas: unknown
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') {
      schemas = value
      continue
    }
    const urn = urnTarget(key)
    if (urn === undefined) {
      const [first, second] = key.split('.', 3)
      const definition = USER_ATTRIBUTES.get(first.toLowerCase())
      const dotted = second !== undefined && definition?.type === 'complex' && definition.multiValued !== true
      placeCore(core, dotted ? [first, key.slice(first.length + 1)] : [key], value)
    } else if (urn.path.length > 0) {
      if (urn.target === 'core') placeCore(core, urn.path, value)
      else place(enterprise, urn.path, value)
    } else if (isObject(value)) {
      for (const [name, item] of Object.entries(value)) {
        if (urn.target === 'core') placeCore(core, [name], item)
        else place(enterprise, [name], item)
      }
    } else {
      throw ScimError.invalidValue(key, 'must be an object')
    }
  }
  return { core, enterprise, schemas }
}

function urnTarget (key: string): { target: 'core' | 'enterprise', path: string[] } | undefined {
  const lower = key.toLowerCase()
  for (const [prefix, target] of URN_TARGETS) {
    if (lower === prefix) return { target, path: [] }
    if (lower.startsWith(`${prefix}:`)) {
      const [first, ...rest] = key.slice(prefix.length + 1).split('.')
      return { target, path: rest.length === 0 ? [first] : [first, rest.join('.')] }
    }
  }
  return undefined
}

function placeCore (core: JsonObject, path: string[], value: unknown): void {
  if (!IGNORED.has(path[0].toLowerCase())) place(core, path, value)
}

/** Sets `value` at `[name]` or `[name, subName]`, matching existing keys case-insensitively and merging objects. */
function place (target: JsonObject, [name, subName]: string[], value: unknown): void {
  const key = findKey(target, name) ?? name
  const existing = target[key]
  if (subName === undefined) {
    target[key] = isObject(existing) && isObject(value) ? { ...existing, ...value } : value
  } else {
    const object = isObject(existing) ? { ...existing } : {}
    object[findKey(object, subName) ?? subName] = value
    target[key] = object
  }
}

function enterpriseExtension (raw: JsonObject): EnterpriseUser | undefined {
  const extension = canonicaliseAttributes(withManagerAsObject(raw), ENTERPRISE_ATTRIBUTES, `${ENTERPRISE_SCHEMA}:`)
  // A manager without a value is no manager: `"manager": {"value": ""}` clears it.
  if (isObject(extension.manager) && extension.manager.value === undefined) delete extension.manager
  return Object.keys(extension).length === 0 ? undefined : extension as EnterpriseUser
}

/** Entra sends the manager as `[{"$ref": …, "value": …}]`; a bare id is read as `{value}` later. */
function withManagerAsObject (raw: JsonObject): JsonObject {
  const key = findKey(raw, 'manager')
  if (key === undefined || !Array.isArray(raw[key])) return raw
  return { ...raw, [key]: raw[key][0] }
}

function schemaList (listed: unknown, hasExtension: boolean): string[] {
  const urns = (Array.isArray(listed) ? listed : [listed])
    .filter(urn => typeof urn === 'string').map(urn => urn.toLowerCase())
  const enterprise = hasExtension || urns.includes(ENTERPRISE_SCHEMA.toLowerCase()) || urns.includes(ENTERPRISE_SCHEMA_TYPO.toLowerCase())
  return enterprise ? [USER_SCHEMA, ENTERPRISE_SCHEMA] : [USER_SCHEMA]
}
