import type { FastifyInstance, FastifyRequest } from 'fastify'
import { REQUESTS, type RequestInput } from '../../register/index.ts'
import { actorOf, workspaceOf } from '../auth.ts'
import { withEtag, withVersion } from '../concurrency.ts'
import { sendRecordPage, type ListParams } from '../pagination.ts'
import {
  REQUEST_LIST, approveRequest, createRequest, fulfilRequest, getRequest, listRequests, rejectRequest
} from './requests.schemas.ts'

type Id = { Params: { id: string } }
type Decision<T = object> = Id & { Body: T & { version?: number } }

export default async function requestRoutes (app: FastifyInstance) {
  const requests = app.registry.requests

  app.get('/requests', listRequests, async (request: FastifyRequest<{ Querystring: ListParams & { status?: string, requester_id?: string } }>, reply) => {
    const q = request.query
    return sendRecordPage(app.db, reply, REQUEST_LIST, q, {
      table: REQUESTS.table,
      record: 'AssetRequest',
      alias: 'r',
      workspaceId: workspaceOf(request),
      equal: { 'r.status': q.status, 'r.requester_id': q.requester_id }
    })
  })

  app.get('/requests/:id', getRequest, async (request: FastifyRequest<Id>, reply) =>
    withEtag(reply, await requests.get(workspaceOf(request), request.params.id)))

  app.post('/requests', createRequest, async (request: FastifyRequest<{ Body: RequestInput }>, reply) => {
    const created = await requests.create(workspaceOf(request), actorOf(request), request.body)
    return reply.code(201).header('location', `/api/requests/${created.id}`).send(withEtag(reply, created))
  })

  app.post('/requests/:id/approve', approveRequest, async (request: FastifyRequest<Decision>, reply) =>
    withEtag(reply, await withVersion(request, request.body.version, check =>
      requests.approve(workspaceOf(request), actorOf(request), request.params.id, check))))

  app.post('/requests/:id/reject', rejectRequest, async (request: FastifyRequest<Decision<{ reason: string }>>, reply) =>
    withEtag(reply, await withVersion(request, request.body.version, check =>
      requests.reject(workspaceOf(request), actorOf(request), request.params.id, request.body.reason, check))))

  app.post('/requests/:id/fulfil', fulfilRequest, async (request: FastifyRequest<Decision<{ hardware_id: string }>>, reply) =>
    withEtag(reply, await withVersion(request, request.body.version, check =>
      requests.fulfil(workspaceOf(request), actorOf(request), request.params.id, request.body.hardware_id, check))))
}
