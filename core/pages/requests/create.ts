import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { redirectPage } from '../../admin/errors.ts'
import { ValidationError } from '../../register/index.ts'
import { field, fieldMessages, type Body, type FieldErrors } from './form.ts'
import { distinctValues } from '../../admin/list/index.ts'

const CATEGORY_LIMIT = 50
/** Suggested on the form besides the categories the workspace's hardware already has. */
const COMMON_CATEGORIES = ['laptop', 'monitor', 'phone', 'headset', 'keyboard', 'other']

const FORM = {
  labels: { category: 'Category', description: 'Details' },
  messages: { 'category.required': 'Say what you need, for example laptop.' }
}

interface NewState { status?: number, values?: { category: string, description: string }, errors?: FieldErrors, problem?: string }

export async function renderNew (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, state: NewState = {}) {
  const categories = new Set([...await distinctValues(app.db, request.workspace.id, 'hardware', 'category', CATEGORY_LIMIT), ...COMMON_CATEGORIES])
  return reply.code(state.status ?? 200).view('pages/requests/new', {
    title: 'Request an asset',
    categories: [...categories].sort(),
    values: state.values ?? { category: '', description: '' },
    errors: state.errors ?? {},
    problem: state.problem ?? null
  })
}

/** Files a request for the signed-in person; a refused one comes back with what they typed. */
export async function createRequest (app: FastifyInstance, request: FastifyRequest<{ Body: Body }>, reply: FastifyReply) {
  const values = { category: field(request.body, 'category'), description: field(request.body, 'description') }
  try {
    const created = await app.registry.requests.create(request.workspace.id, request.actor(), {
      requester_id: request.user!.id, category: values.category, description: values.description
    })
    reply.flash('success', 'Request sent. An admin will review it, and you can follow it here.')
    return redirectPage(request, reply, `/requests/${created.id}`)
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    const { errors, other } = fieldMessages(err, FORM)
    return renderNew(app, request, reply, { status: 422, values, errors, problem: other.length > 0 ? `Your request could not be sent: ${other.join('; ')}.` : undefined })
  }
}
