import type { FastifyInstance, FastifyRequest } from 'fastify'
import { NotFoundError, SEAT_COLUMNS, ValidationError, isUuid, type SeatHolder } from '../../register/index.ts'
import { actorOf, workspaceOf } from '../auth.ts'
import { sendRecordPage, type ListParams } from '../pagination.ts'
import {
  ASSIGNMENT_LIST, createAssignment, deleteAssignment, getAssignment, listAssignments, revokeAssignment
} from './assignments.schemas.ts'

type Id = { Params: { id: string } }
interface AssignmentFilters { software_id?: string, user_id?: string, include_revoked?: boolean }
interface AssignmentBody { software_id: string, user_id?: string, external_email?: string, last_active_at?: string | null, source?: string }

export default async function assignmentRoutes (app: FastifyInstance) {
  const software = app.registry.software
  const seats = (workspaceId: string) => app.db({ sa: 'software_assignments' }).select(SEAT_COLUMNS.map(c => `sa.${c}`)).where('sa.workspace_id', workspaceId)

  app.get('/assignments', listAssignments, async (request: FastifyRequest<{ Querystring: ListParams & AssignmentFilters }>, reply) => {
    const q = request.query
    return sendRecordPage(app.db, reply, ASSIGNMENT_LIST, q, {
      table: 'software_assignments',
      record: 'Assignment',
      alias: 'sa',
      workspaceId: workspaceOf(request),
      equal: { 'sa.software_id': q.software_id, 'sa.user_id': q.user_id },
      modify: query => { if (!q.include_revoked) query.whereNull('sa.revoked_at') }
    })
  })

  app.get('/assignments/:id', getAssignment, async (request: FastifyRequest<Id>) => {
    const seat = isUuid(request.params.id) ? await seats(workspaceOf(request)).where('sa.id', request.params.id).first() : undefined
    if (!seat) throw new NotFoundError('Seat', request.params.id)
    return seat
  })

  app.post('/assignments', createAssignment, async (request: FastifyRequest<{ Body: AssignmentBody }>, reply) => {
    const { software_id: softwareId, user_id: userId, external_email: externalEmail, last_active_at: lastActiveAt, source } = request.body
    const holder = { ...(userId !== undefined ? { userId } : {}), ...(externalEmail !== undefined ? { externalEmail } : {}) } as SeatHolder
    try {
      const seat = await software.assignSeat(workspaceOf(request), actorOf(request), softwareId, holder, { lastActiveAt, source })
      return reply.code(201).header('location', `/api/assignments/${seat.id}`).send(seat)
    } catch (err) {
      if (err instanceof NotFoundError) throw ValidationError.of('software_id', 'exists', 'must be software in this workspace')
      throw err
    }
  })

  const revoke = async (request: FastifyRequest<Id>) => await software.revokeSeat(workspaceOf(request), actorOf(request), request.params.id)
  app.delete('/assignments/:id', deleteAssignment, revoke)
  app.post('/assignments/:id/revoke', revokeAssignment, revoke)
}
