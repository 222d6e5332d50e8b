import type { FastifyInstance, FastifyRequest } from 'fastify'
import { softwareFromDb, softwareUsage, type SoftwareInput, type SoftwarePatch } from '../../register/index.ts'
import { actorOf, workspaceOf } from '../auth.ts'
import { withEtag, withVersion } from '../concurrency.ts'
import { apiPage, type ListParams } from '../pagination.ts'
import { SOFTWARE_LIST, createSoftware, getSoftware, listSoftware, updateSoftware } from './software.schemas.ts'

type Id = { Params: { id: string } }

export default async function softwareRoutes (app: FastifyInstance) {
  const software = app.registry.software

  app.get('/software', listSoftware, async (request: FastifyRequest<{ Querystring: ListParams & { vendor?: string } }>) => {
    const q = request.query
    const page = await apiPage<Record<string, unknown>, string>(SOFTWARE_LIST, q, {
      db: app.db,
      idColumn: 's.id',
      query: () => softwareUsage(app.db, workspaceOf(request)).modify(query => { if (q.vendor) query.where('s.vendor', q.vendor) })
    })
    return { data: page.data.map(softwareFromDb), next: page.next }
  })

  app.get('/software/:id', getSoftware, async (request: FastifyRequest<Id>, reply) =>
    withEtag(reply, await software.get(workspaceOf(request), request.params.id)))

  // Created and updated records are answered as a read would, with the seats held.
  app.post('/software', createSoftware, async (request: FastifyRequest<{ Body: SoftwareInput }>, reply) => {
    const workspaceId = workspaceOf(request)
    const created = await software.create(workspaceId, actorOf(request), request.body)
    return reply.code(201).header('location', `/api/software/${created.id}`).send(withEtag(reply, await software.get(workspaceId, created.id)))
  })

  app.patch('/software/:id', updateSoftware, async (request: FastifyRequest<Id & { Body: SoftwarePatch & { version?: number } }>, reply) => {
    const workspaceId = workspaceOf(request)
    const { version, ...patch } = request.body
    await withVersion(request, version, check => software.update(workspaceId, actorOf(request), request.params.id, patch, check))
    return withEtag(reply, await software.get(workspaceId, request.params.id))
  })
}
