import type { Knex } from 'knex'

export interface Workspace {
  id: string
  slug: string
  name: string
  asset_tag_prefix: string
  asset_tag_digits: number
  asset_tag_next: number
  /** How pages write dates (core/admin/dates.ts). */
  date_format: string
  /** ISO 4217 code of every amount in the workspace (cost per seat, purchase price). */
  currency: string
  /** Password and one-time-link sign-in refused for everyone but super-admins (core/auth/sso/required.ts). */
  require_sso: boolean
  created_at: Date
  updated_at: Date
}

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/

export async function findWorkspaceBySlug (db: Knex, slug: string): Promise<Workspace | undefined> {
  return await db<Workspace>('workspaces').where({ slug }).first()
}

export async function findWorkspaceById (db: Knex, id: string): Promise<Workspace | undefined> {
  return await db<Workspace>('workspaces').where({ id }).first()
}

/** The workspace when exactly one exists (the bare host serves it). */
export async function soleWorkspace (db: Knex): Promise<Workspace | undefined> {
  const rows = await db<Workspace>('workspaces').limit(2)
  return rows.length === 1 ? rows[0] : undefined
}

export async function countWorkspaces (db: Knex): Promise<number> {
  const [{ count }] = await db('workspaces').count({ count: '*' })
  return Number(count)
}

/** Creates the workspace, or returns the existing one with that slug. */
export async function ensureWorkspace (db: Knex, slug: string, name?: string): Promise<{ workspace: Workspace, created: boolean }> {
  if (!SLUG_PATTERN.test(slug)) throw new Error(`workspace slug "${slug}" must be lowercase letters, digits and dashes`)
  const inserted = await db<Workspace>('workspaces')
    .insert({ slug, name: name ?? titleCase(slug), asset_tag_prefix: `${slug.toUpperCase()}-` })
    .onConflict('slug').ignore().returning('*')
  if (inserted.length > 0) return { workspace: inserted[0], created: true }
  return { workspace: (await findWorkspaceBySlug(db, slug))!, created: false }
}

function titleCase (slug: string): string {
  return slug.split('-').map(w => w.charAt(0).toUpperCase() + w.slice(1)).join(' ')
}
