import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { redirectPage } from '../../admin/errors.ts'
import { formatDate } from '../../admin/dates.ts'
import { first } from '../../admin/list/index.ts'
import { displayName } from '../../auth/users.ts'
import { ConflictError, HARDWARE_CONDITIONS, ValidationError, type Hardware } from '../../register/index.ts'
import { hardwareFor, isAdmin, postedVersion, type IdRequest } from './access.ts'
import { activePeople, assignmentHistory, findAssignee } from './queries.ts'
import { formatMoney } from '../../tenancy/currency.ts'

const TRAIL_LIMIT = 50
/** Offered in the assign form before anything is typed; typing searches everyone. */
const PEOPLE_SUGGESTED = 50

type ActionErrors = Partial<Record<'person' | 'note' | 'condition', string>>

export interface DetailState {
  status?: number
  /** What was typed into the assign or recover form, and what was wrong with it. */
  assign?: { person: string, note: string }
  recover?: { condition: string, note: string }
  errors?: ActionErrors
  /** A message for the whole page: a conflict, or a move the hardware cannot make. */
  problem?: string
}

function facts (app: FastifyInstance, h: Hardware, workspace: { date_format: string, currency: string }) {
  const os = [h.os, h.os_version].filter(Boolean).join(' ')
  return [
    ['Serial number', h.serial], ['Category', h.category], ['Manufacturer', h.manufacturer], ['Model', h.model],
    ['Operating system', os], ['MAC address', h.mac_address], ['CPU', h.cpu], ['RAM', h.ram], ['Storage', h.storage],
    ['Condition', h.condition], ['Purchase price', h.purchase_price == null ? null : formatMoney(h.purchase_price, workspace.currency)], ['Purchase date', formatDate(h.purchase_date, workspace.date_format)],
    ['Warranty ends', formatDate(h.warranty_end, workspace.date_format)], ['Source', app.integrations.plugin(h.source)?.manifest.name ?? h.source]
  ].map(([label, value]) => ({ label, value: value || null }))
}

/** The hardware's page. Admins also see who had it, its audit trail and the assign or recover form. */
export async function renderDetail (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, hardware: Hardware, state: DetailState = {}) {
  const workspaceId = request.workspace.id
  const admin = isAdmin(request)
  const canAssign = admin && (hardware.status === 'available' || hardware.status === 'in_repair')
  const canRecover = admin && hardware.status === 'assigned'
  const [assignee, history, trail, people] = await Promise.all([
    hardware.assigned_user_id ? app.registry.people.get(workspaceId, hardware.assigned_user_id) : null,
    admin ? assignmentHistory(app.db, workspaceId, hardware.id) : [],
    admin ? app.audit.trail(workspaceId, 'hardware', hardware.id, TRAIL_LIMIT) : [],
    canAssign ? activePeople(app.db, workspaceId, '', PEOPLE_SUGGESTED) : []
  ])
  const recover = state.recover ?? { condition: '', note: '' }
  return reply.code(state.status ?? 200).view('pages/hardware/detail', {
    title: `${hardware.asset_tag} ${hardware.name}`,
    hardware,
    admin,
    facts: facts(app, hardware, request.workspace),
    specifications: Object.entries(hardware.specifications ?? {}).map(([name, value]) => ({ name, value: typeof value === 'object' ? JSON.stringify(value) : String(value) })),
    assignee: assignee && { ...assignee, name: displayName(assignee) },
    history,
    trail,
    trailLimited: trail.length === TRAIL_LIMIT,
    canAssign,
    canRecover,
    people,
    assign: state.assign ?? { person: '', note: '' },
    recover,
    conditions: HARDWARE_CONDITIONS.map(value => ({ value, selected: value === recover.condition })),
    errors: state.errors ?? {},
    problem: state.problem ?? null
  })
}

export async function showDetail (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  return renderDetail(app, request, reply, await hardwareFor(app, request))
}

/**
 * A refused assign or recover: the page again with what was typed. A version conflict shows the
 * hardware as it is now; a move it cannot make (already assigned…) is a message for the page.
 */
async function refused (app: FastifyInstance, request: IdRequest, reply: FastifyReply, hardware: Hardware, err: unknown, state: DetailState) {
  if (err instanceof ConflictError) {
    const latest = await app.registry.hardware.get(request.workspace.id, hardware.id)
    return renderDetail(app, request, reply, latest, { ...state, status: 409, problem: 'Someone else changed this hardware since you opened the page, so nothing was done. Check it below and try again.' })
  }
  if (!(err instanceof ValidationError)) throw err
  const errors: ActionErrors = {}
  const problems: string[] = []
  for (const e of err.errors) {
    if (e.field === 'user_id') errors.person = `The person ${e.message}.`
    else if (e.field === 'note' || e.field === 'condition') errors[e.field] = `The ${e.field} ${e.message}.`
    else problems.push(`${e.message[0].toUpperCase()}${e.message.slice(1)}.`)
  }
  return renderDetail(app, request, reply, hardware, { ...state, status: 422, errors, problem: problems.join(' ') || undefined })
}

export async function assign (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  const hardware = await hardwareFor(app, request)
  const values = { person: first(request.body?.person), note: first(request.body?.note) }
  const found = await findAssignee(app.db, request.workspace.id, values.person)
  if ('error' in found) return renderDetail(app, request, reply, hardware, { status: 422, assign: values, errors: { person: found.error } })
  try {
    await app.registry.hardware.assign(request.workspace.id, request.actor(), hardware.id, found.person.id, {
      note: values.note || null, expectedVersion: postedVersion(request.body)
    })
  } catch (err) {
    return refused(app, request, reply, hardware, err, { assign: values })
  }
  reply.flash('success', `${hardware.asset_tag} is now assigned to ${found.person.name}.`)
  return redirectPage(request, reply, `/hardware/${hardware.id}`)
}

export async function recover (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  const hardware = await hardwareFor(app, request)
  const values = { condition: first(request.body?.condition), note: first(request.body?.note) }
  try {
    await app.registry.hardware.recover(request.workspace.id, request.actor(), hardware.id, {
      ...(values.condition ? { condition: values.condition as Hardware['condition'] } : {}),
      note: values.note || null,
      expectedVersion: postedVersion(request.body)
    })
  } catch (err) {
    return refused(app, request, reply, hardware, err, { recover: values })
  }
  reply.flash('success', `${hardware.asset_tag} is recovered and available again.`)
  return redirectPage(request, reply, `/hardware/${hardware.id}`)
}

/** htmx: the assign form's suggestions as the admin types a name or email. */
export async function assigneeOptions (app: FastifyInstance, request: FastifyRequest<{ Querystring: { person?: string } }>, reply: FastifyReply) {
  const people = await activePeople(app.db, request.workspace.id, first(request.query.person).slice(0, 100), PEOPLE_SUGGESTED)
  return reply.view('partials/hardware/people-options', { people, fragment: true })
}
