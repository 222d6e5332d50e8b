import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HARDWARE, type Hardware, type HardwareCondition, type HardwarePatch, type HardwareInput } from '../../register/index.ts'
import { actorOf, workspaceOf } from '../auth.ts'
import { withEtag, withVersion } from '../concurrency.ts'
import { sendRecordPage, type ListParams } from '../pagination.ts'
import {
  HARDWARE_LIST, assignHardware, createHardware, getHardware, listHardware, recoverHardware, updateHardware
} from './hardware.schemas.ts'

type Id = { Params: { id: string } }
type Versioned<T> = T & { version?: number }
interface HardwareFilters { status?: string, category?: string, manufacturer?: string, assigned_user_id?: string }

export default async function hardwareRoutes (app: FastifyInstance) {
  const hardware = app.registry.hardware

  app.get('/hardware', listHardware, async (request: FastifyRequest<{ Querystring: ListParams & HardwareFilters }>, reply) => {
    const q = request.query
    return sendRecordPage(app.db, reply, HARDWARE_LIST, q, {
      table: HARDWARE.table,
      record: 'Hardware',
      alias: 'h',
      workspaceId: workspaceOf(request),
      cache: app.listCache,
      equal: { 'h.status': q.status, 'h.category': q.category, 'h.manufacturer': q.manufacturer, 'h.assigned_user_id': q.assigned_user_id }
    })
  })

  app.get('/hardware/:id', getHardware, async (request: FastifyRequest<Id>, reply) =>
    withEtag(reply, await hardware.get(workspaceOf(request), request.params.id)))

  app.post('/hardware', createHardware, async (request: FastifyRequest<{ Body: HardwareInput }>, reply) => {
    const created = await hardware.create(workspaceOf(request), actorOf(request), request.body)
    return reply.code(201).header('location', `/api/hardware/${created.id}`).send(withEtag(reply, created))
  })

  app.patch('/hardware/:id', updateHardware, async (request: FastifyRequest<Id & { Body: Versioned<HardwarePatch> }>, reply) => {
    const { version, ...patch } = request.body
    return withEtag(reply, await withVersion(request, version, check =>
      hardware.update(workspaceOf(request), actorOf(request), request.params.id, patch, check)))
  })

  app.post('/hardware/:id/assign', assignHardware, async (request: FastifyRequest<Id & { Body: Versioned<{ user_id: string, note?: string | null, acknowledged?: boolean }> }>, reply) => {
    const { version, user_id: userId, ...opts } = request.body
    return withEtag(reply, await withVersion<Hardware>(request, version, check =>
      hardware.assign(workspaceOf(request), actorOf(request), request.params.id, userId, { ...opts, ...check })))
  })

  app.post('/hardware/:id/recover', recoverHardware, async (request: FastifyRequest<Id & { Body: Versioned<{ condition?: HardwareCondition, note?: string | null }> | undefined }>, reply) => {
    const { version, ...opts } = request.body ?? {}
    return withEtag(reply, await withVersion<Hardware>(request, version, check =>
      hardware.recover(workspaceOf(request), actorOf(request), request.params.id, { ...opts, ...check })))
  })
}
