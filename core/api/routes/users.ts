import type { FastifyInstance, FastifyRequest } from 'fastify'
import { PEOPLE, type PersonInput, type PersonPatch } from '../../register/index.ts'
import { actorOf, workspaceOf } from '../auth.ts'
import { withEtag, withVersion } from '../concurrency.ts'
import { sendRecordPage, type ListParams } from '../pagination.ts'
import { USER_LIST, createUser, getUser, listUsers, offboardUser, updateUser } from './users.schemas.ts'

type Id = { Params: { id: string } }
interface UserFilters { status?: string, department?: string, email?: string }

export default async function userRoutes (app: FastifyInstance) {
  const people = app.registry.people

  app.get('/users', listUsers, async (request: FastifyRequest<{ Querystring: ListParams & UserFilters }>, reply) => {
    const q = request.query
    return sendRecordPage(app.db, reply, USER_LIST, q, {
      table: PEOPLE.table,
      record: 'User',
      alias: 'p',
      workspaceId: workspaceOf(request),
      equal: { 'p.status': q.status, 'p.department': q.department },
      modify: query => { if (q.email) query.whereRaw('lower(p.email) = lower(?)', [q.email]) }
    })
  })

  app.get('/users/:id', getUser, async (request: FastifyRequest<Id>, reply) =>
    withEtag(reply, await people.get(workspaceOf(request), request.params.id)))

  app.post('/users', createUser, async (request: FastifyRequest<{ Body: PersonInput }>, reply) => {
    const created = await people.create(workspaceOf(request), actorOf(request), request.body)
    return reply.code(201).header('location', `/api/users/${created.id}`).send(withEtag(reply, created))
  })

  app.patch('/users/:id', updateUser, async (request: FastifyRequest<Id & { Body: PersonPatch & { version?: number } }>, reply) => {
    const { version, ...patch } = request.body
    return withEtag(reply, await withVersion(request, version, check =>
      people.update(workspaceOf(request), actorOf(request), request.params.id, patch, check)))
  })

  app.post('/users/:id/offboard', offboardUser, async (request: FastifyRequest<Id & { Body: { version?: number } }>, reply) => {
    const result = await withVersion(request, request.body.version, check =>
      people.offboard(workspaceOf(request), actorOf(request), request.params.id, check))
    withEtag(reply, result.person)
    return result
  })
}
