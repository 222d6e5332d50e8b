import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Knex } from 'knex'
import { requireUser } from '../auth/session.ts'
import { ADMIN_ROLES, OWNER_ROLES, ROLES, type Role } from '../auth/roles.ts'
import { displayName, type SessionUser } from '../auth/users.ts'
import { isHtmx, redirectPage } from '../admin/errors.ts'
import { formatAssetTag, roleLabel } from '../admin/helpers.ts'
import { DATE_FORMATS, isDateFormat } from '../admin/dates.ts'
import type { Changes } from '../audit/index.ts'
import type { Workspace } from '../tenancy/index.ts'
import { ValidationError } from '../register/index.ts'
import { escapeLike } from '../db/index.ts'
import { unstorableRule } from '../boundary/unstorable.ts'
import { isCurrencyCode } from '../tenancy/currency.ts'
import { signInSettingsView } from './sign-in.ts'

/** The most members listed at once; a search narrows the list in bigger workspaces. */
export const MEMBER_LIMIT = 200
const NAME_MAX = 100
const PREFIX_PATTERN = /^[A-Z0-9-]{1,20}$/
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const EXAMPLE_NUMBER = 42
/** Members list most powerful first, in the order roles.ts declares them (constants, safe to inline). */
const ROLE_ORDER = ROLES.map(role => `'${role}'`).join(', ')

type Body = Record<string, unknown> | undefined
type WorkspaceFields = Pick<Workspace, 'name' | 'asset_tag_prefix' | 'asset_tag_digits' | 'currency'> & Partial<Pick<Workspace, 'date_format'>>
type FormValues = Record<keyof WorkspaceFields, string>
type Member = Pick<SessionUser, 'id' | 'email' | 'first_name' | 'last_name' | 'role' | 'status'>

class MemberNotFoundError extends Error {
  statusCode = 404
  constructor () { super('There is no member with that id in this workspace.') }
}

function text (value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v.trim() : ''
}

/** Checks the workspace form; `update` is set only when every field is valid. */
export function readWorkspaceForm (body: Body): { values: FormValues, errors: Partial<FormValues>, update?: WorkspaceFields } {
  const values: FormValues = {
    name: text(body?.name),
    asset_tag_prefix: text(body?.asset_tag_prefix),
    asset_tag_digits: text(body?.asset_tag_digits),
    currency: text(body?.currency).toUpperCase(),
    // Not sent (a form from before the setting): left as it is.
    date_format: text(body?.date_format)
  }
  const errors: Partial<FormValues> = {}
  if (!values.name) errors.name = 'Enter a workspace name.'
  else if (values.name.length > NAME_MAX) errors.name = `The workspace name can have at most ${NAME_MAX} characters.`
  else if (unstorableRule(values.name)) errors.name = 'The workspace name must not contain NUL characters (U+0000) or broken Unicode.'
  if (!PREFIX_PATTERN.test(values.asset_tag_prefix)) {
    errors.asset_tag_prefix = 'The asset-tag prefix must be 1–20 characters: capital letters A–Z, digits 0–9 and dashes.'
  }
  const digits = /^\d{1,2}$/.test(values.asset_tag_digits) ? Number(values.asset_tag_digits) : NaN
  if (!(digits >= 1 && digits <= 12)) errors.asset_tag_digits = 'The asset-tag digits must be a whole number from 1 to 12.'
  if (!isCurrencyCode(values.currency)) errors.currency = 'The currency must be a three-letter ISO 4217 code, such as EUR, GBP or USD.'
  if (values.date_format !== '' && !isDateFormat(values.date_format)) errors.date_format = `The date format must be one of ${Object.values(DATE_FORMATS).join(', ')}.`
  if (Object.keys(errors).length > 0) return { values, errors }
  return { values, errors, update: { name: values.name, asset_tag_prefix: values.asset_tag_prefix, asset_tag_digits: digits, currency: values.currency, ...(values.date_format ? { date_format: values.date_format } : {}) } }
}

async function listMembers (db: Knex, workspaceId: string, search: string): Promise<{ members: Member[], total: number }> {
  const query = db('users').where({ workspace_id: workspaceId })
  if (search) {
    const like = `%${escapeLike(search)}%`
    query.where(q => q.whereILike('email', like).orWhereRaw('concat_ws(\' \', first_name, last_name) ILIKE ?', [like]))
  }
  const [{ count }] = await query.clone().count({ count: '*' })
  const members = await query.select('id', 'email', 'first_name', 'last_name', 'role', 'status')
    .orderByRaw(`array_position(array[${ROLE_ORDER}]::text[], role)`)
    .orderBy([{ column: 'last_name' }, { column: 'first_name' }, { column: 'email' }])
    .limit(MEMBER_LIMIT)
  return { members, total: Number(count) }
}

function memberView (member: Member, currentUserId: string, selected?: string) {
  return { ...member, name: displayName(member), isSelf: member.id === currentUserId, selected: selected ?? member.role }
}

const roleOptions = ROLES.map(value => ({ value, label: roleLabel(value) }))

function canEdit (request: FastifyRequest): boolean {
  return Boolean(request.user && OWNER_ROLES.includes(request.user.role))
}

interface RenderOptions {
  status?: number
  values?: FormValues
  errors?: Partial<FormValues>
  memberErrors?: Record<string, string>
  selectedRoles?: Record<string, string>
}

/** The whole Settings page; forms that failed come back with what was typed and inline errors. */
async function renderSettings (app: FastifyInstance, request: FastifyRequest<{ Querystring: { q?: unknown } }>, reply: FastifyReply, opts: RenderOptions = {}) {
  const ws = request.workspace
  const user = request.user!
  const search = text(request.query?.q).slice(0, 200)
  const { members, total } = await listMembers(app.db, ws.id, search)
  const values = opts.values ?? { name: ws.name, asset_tag_prefix: ws.asset_tag_prefix, asset_tag_digits: String(ws.asset_tag_digits), currency: ws.currency, date_format: ws.date_format }
  return reply.code(opts.status ?? 200).view('pages/settings', {
    title: 'Settings',
    canEdit: canEdit(request),
    values,
    dateFormats: Object.entries(DATE_FORMATS).map(([value, example]) => ({ value, example, selected: value === (values.date_format || ws.date_format) })),
    errors: opts.errors && Object.keys(opts.errors).length > 0 ? opts.errors : null,
    preview: {
      example: formatAssetTag(ws.asset_tag_prefix, ws.asset_tag_digits, EXAMPLE_NUMBER),
      next: formatAssetTag(ws.asset_tag_prefix, ws.asset_tag_digits, Number(ws.asset_tag_next))
    },
    search,
    members: members.map(m => memberView(m, user.id, opts.selectedRoles?.[m.id])),
    memberTotal: total,
    memberLimited: total > members.length,
    memberErrors: opts.memberErrors ?? {},
    roles: roleOptions,
    signIn: await signInSettingsView(app, request)
  })
}

/** Settings: the workspace itself and who may do what in it. Only super-admins change anything. */
export async function settingsRoutes (app: FastifyInstance) {
  app.get('/settings', { preHandler: requireUser(ADMIN_ROLES) }, async (request: FastifyRequest<{ Querystring: { q?: unknown } }>, reply) => {
    return renderSettings(app, request, reply)
  })

  // htmx: the asset-tag example as the super-admin types a new prefix or width.
  app.get('/settings/tag-preview', { preHandler: requireUser(OWNER_ROLES) }, async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
    const prefix = text(request.query.asset_tag_prefix)
    const digits = Number(text(request.query.asset_tag_digits))
    const valid = PREFIX_PATTERN.test(prefix) && Number.isInteger(digits) && digits >= 1 && digits <= 12
    return reply.view('partials/tag-preview', { fragment: true, valid, example: valid ? formatAssetTag(prefix, digits, EXAMPLE_NUMBER) : null })
  })

  app.post('/settings/workspace', { preHandler: requireUser(OWNER_ROLES) }, async (request: FastifyRequest<{ Body: Body, Querystring: { q?: unknown } }>, reply) => {
    // A form from before the currency field keeps the currency.
    const { values, errors, update } = readWorkspaceForm({ currency: request.workspace.currency, ...request.body })
    if (!update) return renderSettings(app, request, reply, { status: 422, values, errors })
    const workspaceId = request.workspace.id
    const actor = request.actor()
    const changed = await app.db.transaction(async trx => {
      const current = await trx<Workspace>('workspaces').where({ id: workspaceId }).forUpdate().first()
      if (!current) throw new Error(`workspace ${workspaceId} disappeared`)
      const changes: Changes = {}
      for (const key of Object.keys(update) as (keyof WorkspaceFields)[]) {
        if (current[key] !== update[key]) changes[key] = { old: current[key], new: update[key] }
      }
      if (Object.keys(changes).length === 0) return false
      await trx('workspaces').where({ id: workspaceId }).update({ ...update, updated_at: trx.fn.now() })
      await app.audit.record(trx, workspaceId, actor, {
        action: 'workspace.updated', target: { type: 'workspace', id: workspaceId, label: update.name }, changes
      })
      return true
    })
    if (changed) reply.flash('success', 'Workspace settings saved.')
    else reply.flash('info', 'Nothing to save: the workspace settings are unchanged.')
    return redirectPage(request, reply, '/settings')
  })

  app.post('/settings/members/:id/role', { preHandler: requireUser(OWNER_ROLES) }, async (request: FastifyRequest<{ Params: { id: string }, Body: Body, Querystring: { q?: unknown } }>, reply) => {
    const workspaceId = request.workspace.id
    const user = request.user!
    const id = request.params.id
    if (!UUID_PATTERN.test(id)) throw new MemberNotFoundError()
    const member: Member | undefined = await app.db('users').where({ workspace_id: workspaceId, id })
      .first('id', 'email', 'first_name', 'last_name', 'role', 'status')
    if (!member) throw new MemberNotFoundError()
    const role = text(request.body?.role)

    let error: string | undefined
    if (!(ROLES as readonly string[]).includes(role)) {
      error = 'Choose one of the listed roles.'
    } else if (role !== member.role) {
      try {
        await app.registry.people.changeRole(workspaceId, request.actor(), id, role as Role)
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err
        error = err.errors.map(fe => fe.rule === 'last_super_admin'
          ? member.id === user.id
            ? 'You are the last super admin. Make someone else a super admin before changing your own role.'
            : 'This is the last active super admin. Make someone else a super admin first.'
          : `The ${fe.field.replace(/_/g, ' ')} ${fe.message}.`).join(' ')
      }
    }

    if (error) {
      if (isHtmx(request)) {
        return reply.code(422).view('partials/member-row', {
          fragment: true, canEdit: true, roles: roleOptions, error, member: memberView(member, user.id, role)
        })
      }
      return renderSettings(app, request, reply, { status: 422, memberErrors: { [id]: error }, selectedRoles: { [id]: role } })
    }

    const name = displayName(member)
    const message = role === member.role ? `${name} already has the ${roleLabel(role)} role.` : `${name} is now ${roleLabel(role)}.`
    // Changing one's own role changes what this page offers, so reload it whole.
    if (!isHtmx(request) || id === user.id) {
      reply.flash('success', message)
      return redirectPage(request, reply, '/settings')
    }
    const updated: Member = await app.db('users').where({ workspace_id: workspaceId, id })
      .first('id', 'email', 'first_name', 'last_name', 'role', 'status')
    return reply.view('partials/member-row', {
      fragment: true, canEdit: true, roles: roleOptions, saved: message, member: memberView(updated, user.id)
    })
  })
}
