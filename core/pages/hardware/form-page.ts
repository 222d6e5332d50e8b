import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isHtmx, redirectPage } from '../../admin/errors.ts'
import { distinctValues } from '../../admin/list/index.ts'
import { ConflictError, ValidationError } from '../../register/index.ts'
import { hardwareFor, postedVersion, type IdRequest } from './access.ts'
import { blankValues, createInput, fieldMessages, formGroups, patchInput, readForm, valuesOf, type FormState } from './form.ts'
import { applyLookup } from './lookup.ts'

/** Suggested in the category field besides those the workspace already uses. */
const COMMON_CATEGORIES = ['laptop', 'desktop', 'monitor', 'phone', 'tablet', 'accessory', 'other']

type FormRequest = FastifyRequest<{ Body: Record<string, unknown> | undefined }>

interface FormPage extends FormState {
  status?: number
  /** The version the form carries: the record as the admin last saw it. */
  version?: number
  /** Problems that belong to no single field. */
  problems?: string[]
  /** Someone else saved the record since the form was opened. */
  conflict?: boolean
  lookup?: { tone: 'success' | 'info', message: string, specifications?: Array<{ name: string, value: string }> }
}

/**
 * The create or edit form: a whole page, or (for the lookup button's htmx request) only its
 * fields. A refused form always comes back with what was typed.
 */
async function renderForm (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, page: FormPage, fragment = false) {
  const workspaceId = request.workspace.id
  const providers = await app.integrations.lookupProviders(workspaceId)
  const current = page.current
  const data = {
    title: current ? `Edit ${current.asset_tag}` : 'Register hardware',
    hardware: current ?? null,
    action: current ? `/hardware/${current.id}/edit` : '/hardware/new',
    cancelUrl: current ? `/hardware/${current.id}` : '/hardware',
    submitLabel: current ? 'Save changes' : 'Register hardware',
    version: page.version ?? current?.version,
    groups: formGroups({ ...page, lookupWith: providers.map(p => p.name).join(' or '), currency: request.workspace.currency }),
    invalid: Boolean(page.errors && Object.keys(page.errors).length > 0) || Boolean(page.problems?.length),
    problems: page.problems ?? [],
    conflict: page.conflict ?? false,
    lookup: page.lookup ?? null
  }
  reply.code(page.status ?? 200)
  if (fragment) return reply.view('partials/hardware/fields', { ...data, fragment: true })
  const categories = new Set([...await distinctValues(app.db, workspaceId, 'hardware', 'category'), ...COMMON_CATEGORIES])
  return reply.view('pages/hardware/form', { ...data, categories: [...categories].sort() })
}

function refusal (err: ValidationError): Pick<FormPage, 'errors' | 'problems'> {
  const { fields, form } = fieldMessages(err.errors)
  return { errors: fields, problems: form }
}

export async function renderNew (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
  return renderForm(app, request, reply, { values: blankValues() })
}

export async function createHardware (app: FastifyInstance, request: FormRequest, reply: FastifyReply) {
  const values = readForm(request.body)
  try {
    const hardware = await app.registry.hardware.create(request.workspace.id, request.actor(), createInput(values))
    reply.flash('success', `Registered ${hardware.asset_tag} ${hardware.name}.`)
    return redirectPage(request, reply, `/hardware/${hardware.id}`)
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    return renderForm(app, request, reply, { status: 422, values, ...refusal(err) })
  }
}

export async function renderEdit (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  const hardware = await hardwareFor(app, request)
  return renderForm(app, request, reply, { values: valuesOf(hardware), current: hardware })
}

/**
 * Saves an edit at the version the form was opened with. When someone else saved in between, the
 * form comes back with the admin's input untouched, the saved values beside the fields that differ,
 * and the new version: saving again is then a deliberate overwrite.
 */
export async function updateHardware (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  const workspaceId = request.workspace.id
  const current = await hardwareFor(app, request)
  const values = readForm(request.body)
  const version = postedVersion(request.body)
  try {
    const updated = await app.registry.hardware.update(workspaceId, request.actor(), current.id, patchInput(values, current), { expectedVersion: version })
    if (updated.version === (version ?? current.version)) reply.flash('info', `Nothing to save: ${updated.asset_tag} is unchanged.`)
    else reply.flash('success', `Saved ${updated.asset_tag} ${updated.name}.`)
    return redirectPage(request, reply, `/hardware/${current.id}`)
  } catch (err) {
    if (err instanceof ConflictError) {
      const latest = await app.registry.hardware.get(workspaceId, current.id)
      return renderForm(app, request, reply, { status: 409, values, current: latest, saved: latest, version: latest.version, conflict: true })
    }
    if (!(err instanceof ValidationError)) throw err
    return renderForm(app, request, reply, { status: 422, values, current, version, ...refusal(err) })
  }
}

/**
 * "Look up by serial": asks the connected device-management integrations and fills the form.
 * htmx swaps in the fields; without JavaScript the button posts the form here and gets the page.
 */
export async function lookupSerial (app: FastifyInstance, request: FormRequest, reply: FastifyReply) {
  const values = readForm(request.body)
  const id = typeof request.body?.hardware_id === 'string' ? request.body.hardware_id : ''
  const page: FormPage = {
    values,
    current: id ? await app.registry.hardware.get(request.workspace.id, id) : undefined,
    version: postedVersion(request.body)
  }
  if (!values.serial) {
    page.status = 422
    page.errors = { serial: 'Enter a serial number to look it up.' }
  } else {
    const found = await app.integrations.lookup(request.workspace, values.serial)
    if (!found) {
      page.lookup = { tone: 'info', message: `No connected integration knows the serial number ${values.serial}. Fill in the details by hand.` }
    } else {
      const outcome = applyLookup(values, found.device)
      page.values = outcome.values
      page.suggestions = outcome.suggestions
      const filled = outcome.filled.length > 0 ? ` Filled in: ${outcome.filled.join(', ')}.` : ' The form already had its details.'
      const suggested = Object.keys(outcome.suggestions).length > 0 ? ' Suggestions from its specifications are shown under their fields.' : ''
      page.lookup = { tone: 'success', message: `Found in ${found.pluginName}.${filled}${suggested}`, specifications: outcome.specifications }
    }
  }
  return renderForm(app, request, reply, page, isHtmx(request))
}
