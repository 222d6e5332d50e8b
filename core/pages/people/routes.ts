import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ADMIN_ROLES } from '../../auth/roles.ts'
import { requireUser } from '../../auth/session.ts'
import type { RawQuery } from '../../admin/list/index.ts'
import type { IdRequest } from './access.ts'
import { offboard, recoverHardware, revokePersonSeat } from './actions.ts'
import { showDetail } from './detail.ts'
import { createPerson, managerOptions, renderEdit, renderNew, updatePerson } from './form-page.ts'
import { renderList, sendPeopleCsv } from './list-page.ts'
import { sendSignInLinkFromPage } from './sign-in-link.ts'
import { formBody, hardwareParams, idParams, listQuery, managerQuery, seatParams } from './schemas.ts'

type ListRequest = FastifyRequest<{ Querystring: RawQuery }>
type FormRequest = FastifyRequest<{ Body: Record<string, unknown> | undefined }>

/**
 * The people register's pages, for admins. An employee may open only their own page (anyone
 * else's is not found), read-only: what they hold.
 */
export default async function peopleRoutes (app: FastifyInstance) {
  const signedIn = requireUser()
  const admins = requireUser(ADMIN_ROLES)
  const form = { body: formBody }

  app.get('/people', { preHandler: admins, schema: { querystring: listQuery } }, (request: ListRequest, reply) => renderList(app, request, reply))
  app.get('/people.csv', { preHandler: admins, schema: { querystring: listQuery } }, (request: ListRequest, reply) => sendPeopleCsv(app, request, reply))

  app.get('/people/new', { preHandler: admins }, (request, reply) => renderNew(app, request, reply))
  app.post('/people/new', { preHandler: admins, schema: form }, (request: FormRequest, reply) => createPerson(app, request, reply))
  app.get('/people/managers', { preHandler: admins, schema: { querystring: managerQuery } },
    (request: FastifyRequest<{ Querystring: { manager?: string } }>, reply) => managerOptions(app, request, reply))

  app.get('/people/:id', { preHandler: signedIn, schema: { params: idParams } }, (request: IdRequest, reply) => showDetail(app, request, reply))
  app.get('/people/:id/edit', { preHandler: admins, schema: { params: idParams } }, (request: IdRequest, reply) => renderEdit(app, request, reply))
  app.post('/people/:id/edit', { preHandler: admins, schema: { params: idParams, ...form } }, (request: IdRequest, reply) => updatePerson(app, request, reply))
  app.post('/people/:id/sign-in-link', { preHandler: admins, schema: { params: idParams } }, (request: IdRequest, reply) => sendSignInLinkFromPage(app, request, reply))
  app.post('/people/:id/offboard', { preHandler: admins, schema: { params: idParams, ...form } }, (request: IdRequest, reply) => offboard(app, request, reply))
  app.post('/people/:id/hardware/:hardwareId/recover', { preHandler: admins, schema: { params: hardwareParams, ...form } },
    (request: FastifyRequest<{ Params: { id: string, hardwareId: string }, Body: Record<string, unknown> | undefined }>, reply) => recoverHardware(app, request, reply))
  app.post('/people/:id/seats/:seatId/revoke', { preHandler: admins, schema: { params: seatParams, ...form } },
    (request: FastifyRequest<{ Params: { id: string, seatId: string }, Body: Record<string, unknown> | undefined }>, reply) => revokePersonSeat(app, request, reply))
}
