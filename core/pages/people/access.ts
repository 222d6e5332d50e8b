import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isAdmin } from '../../auth/session.ts'
import { NotFoundError, type Person } from '../../register/index.ts'

export type IdRequest = FastifyRequest<{ Params: { id: string }, Body: Record<string, unknown> | undefined }>

/** The person at :id as this user may see them: admins anyone of the workspace, an employee only themselves. */
export async function personFor (app: FastifyInstance, request: IdRequest): Promise<Person> {
  if (!isAdmin(request) && request.params.id !== request.user!.id) throw new NotFoundError('Person', request.params.id)
  return await app.registry.people.get(request.workspace.id, request.params.id)
}
