import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isAdmin } from '../../auth/session.ts'
import { NotFoundError, type Hardware } from '../../register/index.ts'
import type { HardwareScope } from './list.ts'

export type IdRequest = FastifyRequest<{ Params: { id: string }, Body: Record<string, unknown> | undefined }>

export { isAdmin }

/** What this user's lists show: everything for an admin, an employee's own hardware only. */
export function scopeOf (request: FastifyRequest): HardwareScope {
  return isAdmin(request) ? {} : { assignedTo: request.user!.id }
}

/** The hardware at :id as this user may see it; someone else's is as missing as an unknown id. */
export async function hardwareFor (app: FastifyInstance, request: IdRequest): Promise<Hardware> {
  const hardware = await app.registry.hardware.get(request.workspace.id, request.params.id)
  const { assignedTo } = scopeOf(request)
  if (assignedTo && hardware.assigned_user_id !== assignedTo) throw new NotFoundError('Hardware', request.params.id)
  return hardware
}

/** A version posted by a form, for the register's optimistic check; none when it is not a number. */
export function postedVersion (body: Record<string, unknown> | undefined): number | undefined {
  const raw = typeof body?.version === 'string' ? body.version : ''
  return /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : undefined
}
