import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ConnectorRoutesOptions } from '../../../core/sdk.ts'
import { ScimError } from '../errors.ts'
import { filterToSql, parseFilter } from '../filter/index.ts'
import { route } from '../http/case-insensitive.ts'
import { listResponse, listWindow, type ListQuery } from '../http/list-params.ts'
import { sendScim } from '../http/reply.ts'
import { applyPatch } from '../patch/index.ts'
import { normaliseUser, projectAttributes, userResource } from '../resources/index.ts'
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from '../schemas.ts'
import { USER_FILTERS } from './filter-attributes.ts'
import { saveUser } from './save.ts'
import { deleteUser, findUser, listUsers, type StoredUser } from './store.ts'

type Request = FastifyRequest<{ Params: { id: string }, Querystring: ListQuery }>

const notFound = (id: string) => new ScimError(404, undefined, `User ${id} not found`)

/** The tenant URL this request came to: resources' meta.location is under it. */
export const baseUrlOf = (app: FastifyInstance, request: FastifyRequest) => `${request.protocol}://${request.host}${app.prefix}`

/** /Users (RFC 7644 §3): create, read, list with filters, replace, patch, delete. */
export function userRoutes (app: FastifyInstance, { db, directory }: ConnectorRoutesOptions): void {
  const resource = (request: FastifyRequest, user: StoredUser) => userResource(user.document, {
    id: user.id, created: user.created_at, lastModified: user.updated_at, version: user.version, location: `${baseUrlOf(app, request)}/Users/${user.id}`
  })
  const answer = (request: Request, reply: FastifyReply, status: number, user: StoredUser) =>
    sendScim(reply, status, projectAttributes(resource(request, user), request.query, USER_SCHEMA))

  route(app, 'POST', '/Users', async (request, reply) => {
    const document = normaliseUser(request.body)
    const token = request.scimToken
    const user = await directory.transaction(token, request.id, tx => saveUser(tx, token.workspaceId, null, document))
    request.scimResourceId = user.id
    reply.header('location', `${baseUrlOf(app, request)}/Users/${user.id}`)
    return answer(request as Request, reply, 201, user)
  })

  route(app, 'GET', '/Users/:id', async (request, reply) => {
    const { id } = (request as Request).params
    const user = await findUser(db, request.scimToken.workspaceId, id)
    if (!user) throw notFound(id)
    return answer(request as Request, reply, 200, user)
  })

  route(app, 'GET', '/Users', async (request, reply) => {
    const query = (request as Request).query
    const window = listWindow(query)
    const where = query.filter ? filterToSql(parseFilter(query.filter), USER_FILTERS) : null
    const { total, rows } = await listUsers(db, request.scimToken.workspaceId, { where, ...window })
    return sendScim(reply, 200, listResponse(total, window.startIndex, rows.map(user => projectAttributes(resource(request, user), query, USER_SCHEMA))))
  })

  /** PUT replaces every attribute; PATCH applies its operations to the stored document. Both all-or-nothing. */
  const change = (next: (current: StoredUser, body: unknown) => unknown, status: 200 | 204) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { id } = (request as Request).params
    const token = request.scimToken
    const user = await directory.transaction(token, request.id, async tx => {
      const current = await findUser(tx.db, token.workspaceId, id, { lock: true })
      if (!current) throw notFound(id)
      return await saveUser(tx, token.workspaceId, current, normaliseUser(next(current, request.body)))
    })
    return status === 204 ? reply.code(204).send() : answer(request as Request, reply, 200, user)
  }
  route(app, 'PUT', '/Users/:id', change((_current, body) => body, 200))
  route(app, 'PATCH', '/Users/:id', change((current, body) =>
    applyPatch(current.document, body, { coreSchema: USER_SCHEMA, extensions: [ENTERPRISE_SCHEMA], id: current.id }), 204))

  // The SCIM link goes and the person is offboarded; the person and their history stay.
  route(app, 'DELETE', '/Users/:id', async (request, reply) => {
    const { id } = (request as Request).params
    const token = request.scimToken
    await directory.transaction(token, request.id, async tx => {
      const current = await findUser(tx.db, token.workspaceId, id, { lock: true })
      if (!current) throw notFound(id)
      await deleteUser(tx.db, token.workspaceId, id)
      await tx.people.offboard(id)
    })
    return reply.code(204).send()
  })
}
