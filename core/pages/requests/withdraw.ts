import type { FastifyInstance, FastifyReply } from 'fastify'
import { redirectPage } from '../../admin/errors.ts'
import { ConflictError, TRANSITIONS, ValidationError } from '../../register/index.ts'
import { inWords } from './decide.ts'
import { renderDetail, type IdRequest } from './detail.ts'
import { versionOf } from './form.ts'
import { findRequest } from './queries.ts'

/**
 * The requester takes back their own open request. Anyone else's request is a 404 here, an
 * admin's included (admins reject instead); a closed one comes back with why. The register audits
 * it and emits asset_request.withdrawn.
 */
export async function withdraw (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  const ws = request.workspace.id
  const own = { requesterId: request.user!.id }
  const view = await findRequest(app.db, ws, request.params.id, own)
  const expectedVersion = versionOf(request.body)
  try {
    await app.registry.requests.withdraw(ws, request.actor(), view.id, own.requesterId, { expectedVersion })
  } catch (err) {
    if (!(err instanceof ConflictError) && !(err instanceof ValidationError)) throw err
    const fresh = await findRequest(app.db, ws, view.id, own)
    const problem = TRANSITIONS.withdrawn.includes(fresh.status)
      ? `This request changed after you opened it: it is now ${inWords(fresh.status)}. Check it below and withdraw it again if you still want to.`
      : `This request is ${inWords(fresh.status)}, so it can no longer be withdrawn.${fresh.status === 'fulfilled' ? ' To give the hardware back, ask your IT team.' : ''}`
    return renderDetail(app, request, reply, fresh, { status: 409, problem })
  }
  reply.flash('success', 'Request withdrawn. Nobody will act on it now.')
  return redirectPage(request, reply, `/requests/${view.id}`)
}
