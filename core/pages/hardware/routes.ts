import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ADMIN_ROLES } from '../../auth/roles.ts'
import { requireUser } from '../../auth/session.ts'
import type { RawQuery } from '../../admin/list/index.ts'
import type { IdRequest } from './access.ts'
import { assign, assigneeOptions, recover, showDetail } from './detail.ts'
import { createHardware, lookupSerial, renderEdit, renderNew, updateHardware } from './form-page.ts'
import { exportCsv, renderList } from './list-page.ts'
import { assigneeQuery, formBody, idParams, listQuery } from './schemas.ts'

type ListRequest = FastifyRequest<{ Querystring: RawQuery }>
type FormRequest = FastifyRequest<{ Body: Record<string, unknown> | undefined }>

/**
 * The hardware register's pages. Everyone signed in sees the list and details (an employee only
 * the hardware assigned to them); admins register, edit, assign and recover.
 */
export default async function hardwareRoutes (app: FastifyInstance) {
  const signedIn = requireUser()
  const admins = requireUser(ADMIN_ROLES)
  const withId = { params: idParams }
  const form = { body: formBody }

  app.get('/hardware', { preHandler: signedIn, schema: { querystring: listQuery } }, (request: ListRequest, reply) => renderList(app, request, reply))
  app.get('/hardware.csv', { preHandler: signedIn, schema: { querystring: listQuery } }, (request: ListRequest, reply) => exportCsv(app, request, reply))

  app.get('/hardware/new', { preHandler: admins }, (request, reply) => renderNew(app, request, reply))
  app.post('/hardware/new', { preHandler: admins, schema: form }, (request: FormRequest, reply) => createHardware(app, request, reply))
  app.post('/hardware/lookup', { preHandler: admins, schema: form }, (request: FormRequest, reply) => lookupSerial(app, request, reply))
  app.get('/hardware/assignees', { preHandler: admins, schema: { querystring: assigneeQuery } },
    (request: FastifyRequest<{ Querystring: { person?: string } }>, reply) => assigneeOptions(app, request, reply))

  app.get('/hardware/:id', { preHandler: signedIn, schema: withId }, (request: IdRequest, reply) => showDetail(app, request, reply))
  app.get('/hardware/:id/edit', { preHandler: admins, schema: withId }, (request: IdRequest, reply) => renderEdit(app, request, reply))
  app.post('/hardware/:id/edit', { preHandler: admins, schema: { ...withId, ...form } }, (request: IdRequest, reply) => updateHardware(app, request, reply))
  app.post('/hardware/:id/assign', { preHandler: admins, schema: { ...withId, ...form } }, (request: IdRequest, reply) => assign(app, request, reply))
  app.post('/hardware/:id/recover', { preHandler: admins, schema: { ...withId, ...form } }, (request: IdRequest, reply) => recover(app, request, reply))
}
