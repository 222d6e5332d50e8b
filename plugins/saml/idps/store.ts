// The workspace's SAML identity providers (saml_idps), always by workspace.
import type { Knex } from 'knex'
import type { Idp, IdpFields } from './types.ts'

const TABLE = 'saml_idps'

const COLUMNS = [
  'id', 'key', 'display_name', 'enabled', 'entity_id', 'sso_url', 'certificates', 'signed_part',
  'email_attribute', 'first_name_attribute', 'last_name_attribute', 'group_attribute', 'allow_idp_initiated',
  'create_people', 'default_role', 'role_mappings', 'sp_certificate', 'sealed_sp_private_key', 'version', 'created_at', 'updated_at'
]

type Row = Record<string, any>

function fromRow (row: Row): Idp {
  return {
    id: row.id,
    key: row.key,
    displayName: row.display_name,
    enabled: row.enabled,
    entityId: row.entity_id,
    ssoUrl: row.sso_url,
    certificates: row.certificates,
    signedPart: row.signed_part,
    emailAttribute: row.email_attribute,
    firstNameAttribute: row.first_name_attribute,
    lastNameAttribute: row.last_name_attribute,
    groupAttribute: row.group_attribute,
    allowIdpInitiated: row.allow_idp_initiated,
    createPeople: row.create_people,
    defaultRole: row.default_role,
    roleMappings: typeof row.role_mappings === 'string' ? JSON.parse(row.role_mappings) : row.role_mappings,
    spCertificate: row.sp_certificate,
    sealedSpPrivateKey: row.sealed_sp_private_key,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

function toRow (fields: Partial<IdpFields>): Row {
  const columns: Record<keyof IdpFields, string> = {
    key: 'key',
    displayName: 'display_name',
    enabled: 'enabled',
    entityId: 'entity_id',
    ssoUrl: 'sso_url',
    certificates: 'certificates',
    signedPart: 'signed_part',
    emailAttribute: 'email_attribute',
    firstNameAttribute: 'first_name_attribute',
    lastNameAttribute: 'last_name_attribute',
    groupAttribute: 'group_attribute',
    allowIdpInitiated: 'allow_idp_initiated',
    createPeople: 'create_people',
    defaultRole: 'default_role',
    roleMappings: 'role_mappings'
  }
  const row: Row = {}
  for (const [name, value] of Object.entries(fields) as Array<[keyof IdpFields, unknown]>) {
    if (value === undefined) continue
    row[columns[name]] = name === 'roleMappings' ? JSON.stringify(value) : value
  }
  return row
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Every IdP of the workspace, by display name. */
export async function listIdps (db: Knex, workspaceId: string): Promise<Idp[]> {
  const rows = await db(TABLE).select(COLUMNS).where({ workspace_id: workspaceId }).orderByRaw('lower(display_name), key')
  return rows.map(fromRow)
}

export async function findIdp (db: Knex, workspaceId: string, id: string): Promise<Idp | undefined> {
  if (!UUID.test(id)) return undefined
  const row = await db(TABLE).select(COLUMNS).where({ workspace_id: workspaceId, id }).first()
  return row === undefined ? undefined : fromRow(row)
}

/** The IdP of a sign-in method (its key). */
export async function findIdpByKey (db: Knex, workspaceId: string, key: string): Promise<Idp | undefined> {
  const row = await db(TABLE).select(COLUMNS).where({ workspace_id: workspaceId, key }).first()
  return row === undefined ? undefined : fromRow(row)
}

export async function countIdps (db: Knex, workspaceId: string): Promise<number> {
  const [{ count }] = await db(TABLE).where({ workspace_id: workspaceId }).count({ count: '*' })
  return Number(count)
}

/** A new IdP with its own service-provider key pair (see newServiceProviderKeys). */
export async function createIdp (db: Knex, workspaceId: string, fields: IdpFields, sp: { certificate: string, sealedPrivateKey: string }): Promise<Idp> {
  const [row] = await db(TABLE)
    .insert({ workspace_id: workspaceId, ...toRow(fields), sp_certificate: sp.certificate, sealed_sp_private_key: sp.sealedPrivateKey })
    .returning(COLUMNS)
  return fromRow(row)
}

/** Changes the fields given when the IdP is still at `version` (someone else's save in between: undefined). */
export async function updateIdp (db: Knex, workspaceId: string, id: string, version: number, fields: Partial<IdpFields>): Promise<Idp | undefined> {
  const [row] = await db(TABLE)
    .where({ workspace_id: workspaceId, id, version })
    .update({ ...toRow(fields), version: db.raw('version + 1'), updated_at: db.fn.now() })
    .returning(COLUMNS)
  return row === undefined ? undefined : fromRow(row)
}

export async function deleteIdp (db: Knex, workspaceId: string, id: string): Promise<boolean> {
  if (!UUID.test(id)) return false
  return await db(TABLE).where({ workspace_id: workspaceId, id }).delete() > 0
}
