import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ConnectorRoutesOptions } from '../../../core/sdk.ts'
import { ScimError } from '../errors.ts'
import { filterToSql, parseFilter } from '../filter/index.ts'
import { route } from '../http/case-insensitive.ts'
import { listResponse, listWindow, type ListQuery } from '../http/list-params.ts'
import { sendScim } from '../http/reply.ts'
import { applyPatch } from '../patch/index.ts'
import { groupResource, normaliseGroup, projectAttributes, type GroupDocument, type MemberRow } from '../resources/index.ts'
import { GROUP_SCHEMA } from '../schemas.ts'
import { GROUP_FILTERS } from './filter-attributes.ts'
import { applyMappedRoles } from './roles.ts'
import { showMappingCount } from '../page/mappings.ts'
import { saveGroup } from './save.ts'
import { deleteGroup, findGroup, listGroups, lockGroupWithMembers, membersOf, writeGroup, type StoredGroup } from './store.ts'

type Request = FastifyRequest<{ Params: { id: string }, Querystring: ListQuery }>

const notFound = (id: string) => new ScimError(404, undefined, `Group ${id} not found`)

/** Whether the answer leaves members out, so they need not be read (Entra asks excludedAttributes=members). */
function withoutMembers (query: ListQuery): boolean {
  const names = (list?: string) => (list ?? '').split(',').map(name => name.trim().toLowerCase().replace(`${GROUP_SCHEMA.toLowerCase()}:`, ''))
  if (query.attributes) return !names(query.attributes).some(name => name === 'members' || name.startsWith('members.') || name.startsWith('members['))
  return names(query.excludedAttributes).includes('members')
}

/** /Groups: create, read, list with filters, replace, patch (members several at a time), delete. */
export function groupRoutes (app: FastifyInstance, { db, directory, contextFor }: ConnectorRoutesOptions, baseUrlOf: (request: FastifyRequest) => string): void {
  const resource = (request: FastifyRequest, group: StoredGroup, members: MemberRow[] | null) => groupResource({ ...group.document, members: [] }, members, {
    id: group.id, created: group.created_at, lastModified: group.updated_at, version: group.version, location: `${baseUrlOf(request)}/Groups/${group.id}`
  })
  /** The groups as answered, their members read in one query unless left out. */
  const answerOf = async (request: Request, workspaceId: string, rows: StoredGroup[]) => {
    const members = withoutMembers(request.query) ? null : await membersOf(db, workspaceId, rows.map(g => g.id))
    return rows.map(group => answer(request, group, members?.get(group.id) ?? null))
  }
  const answer = (request: Request, group: StoredGroup, members: MemberRow[] | null) =>
    projectAttributes(resource(request, group, members), request.query, GROUP_SCHEMA)

  route(app, 'POST', '/Groups', async (request, reply) => {
    const document = normaliseGroup(request.body)
    const token = request.scimToken
    // A new group is mapped to no role yet, so it changes nobody's: one statement on the plugin's
    // own tables, which needs no transaction (the register is not involved).
    const { group } = await writeGroup(db, token.workspaceId, null, document)
    request.scimResourceId = group.id
    reply.header('location', `${baseUrlOf(request)}/Groups/${group.id}`)
    // Its members are exactly the document's, just written: answered without reading them back.
    const members = withoutMembers((request as Request).query)
      ? null
      : document.members.map(m => ({ value: m.value, display: m.display ?? null })).sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    return sendScim(reply, 201, answer(request as Request, group, members))
  })

  route(app, 'GET', '/Groups/:id', async (request, reply) => {
    const { id } = (request as Request).params
    const group = await findGroup(db, request.scimToken.workspaceId, id)
    if (!group) throw notFound(id)
    return sendScim(reply, 200, (await answerOf(request as Request, request.scimToken.workspaceId, [group]))[0])
  })

  route(app, 'GET', '/Groups', async (request, reply) => {
    const query = (request as Request).query
    const window = listWindow(query)
    const where = query.filter ? filterToSql(parseFilter(query.filter), GROUP_FILTERS) : null
    const { total, rows } = await listGroups(db, request.scimToken.workspaceId, { where, ...window })
    return sendScim(reply, 200, listResponse(total, window.startIndex, await answerOf(request as Request, request.scimToken.workspaceId, rows)))
  })

  const change = (next: (current: GroupDocument, body: unknown, id: string) => unknown, status: 200 | 204) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { id } = (request as Request).params
    const token = request.scimToken
    const group = await directory.transaction(token, request.id, async tx => {
      const current = await lockGroupWithMembers(tx.db, token.workspaceId, id)
      if (!current) throw notFound(id)
      const document = { ...current.group.document, members: current.members.map(({ value, display }) => (display ? { value, display } : { value })) }
      return await saveGroup(tx, token.workspaceId, current, normaliseGroup(next(document, request.body, id)))
    })
    if (status === 204) return reply.code(204).send()
    return sendScim(reply, 200, (await answerOf(request as Request, token.workspaceId, [group]))[0])
  }
  route(app, 'PUT', '/Groups/:id', change((_current, body) => body, 200))
  route(app, 'PATCH', '/Groups/:id', change((current, body, id) => applyPatch(current, body, { coreSchema: GROUP_SCHEMA, extensions: [], id }), 204))

  route(app, 'DELETE', '/Groups/:id', async (request, reply) => {
    const { id } = (request as Request).params
    const token = request.scimToken
    const wasMapped = await directory.transaction(token, request.id, async tx => {
      const current = await lockGroupWithMembers(tx.db, token.workspaceId, id)
      if (!current) throw notFound(id)
      await deleteGroup(tx.db, token.workspaceId, id)
      if (current.group.role !== null) await applyMappedRoles(tx, token.workspaceId, current.members.map(m => m.value))
      return current.group.role !== null
    })
    if (wasMapped) await showMappingCount(await contextFor(token.workspaceId), db)
    return reply.code(204).send()
  })
}
