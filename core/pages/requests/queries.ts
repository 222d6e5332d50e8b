import type { Knex } from 'knex'
import { displayName } from '../../auth/users.ts'
import { escapeLike } from '../../db/index.ts'
import { NotFoundError, type AssetRequest, type RequestStatus } from '../../register/index.ts'

/** A request as the pages show it: with who asked, who decided and what fulfilled it. */
export interface RequestView extends AssetRequest {
  requester_name: string
  requester_email: string
  decider_name: string | null
  hardware_label: string | null
}

export interface RequestScope {
  /** Only these statuses; all when absent. */
  statuses?: readonly RequestStatus[]
  /** Only this person's requests (an employee sees nothing else). */
  requesterId?: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Requests of one workspace joined to the people and hardware they name, in one query. */
export function requestsQuery (db: Knex, workspaceId: string, scope: RequestScope): Knex.QueryBuilder {
  return db('asset_requests as r')
    .join('users as u', join => join.on('u.id', 'r.requester_id').andOn('u.workspace_id', 'r.workspace_id'))
    .leftJoin('users as d', join => join.on('d.id', 'r.decided_by').andOn('d.workspace_id', 'r.workspace_id'))
    .leftJoin('hardware as h', join => join.on('h.id', 'r.fulfilled_hardware_id').andOn('h.workspace_id', 'r.workspace_id'))
    .select('r.*', 'u.email as requester_email', 'u.first_name as requester_first', 'u.last_name as requester_last',
      'd.email as decider_email', 'd.first_name as decider_first', 'd.last_name as decider_last', 'h.asset_tag as hardware_tag', 'h.name as hardware_name')
    .where('r.workspace_id', workspaceId)
    .modify(q => {
      if (scope.statuses) q.whereIn('r.status', scope.statuses)
      if (scope.requesterId) q.where('r.requester_id', scope.requesterId)
    })
}

export function toRequestView (raw: Record<string, unknown>): RequestView {
  const { requester_first: rf, requester_last: rl, decider_email: de, decider_first: df, decider_last: dl, hardware_tag: tag, hardware_name: hw, ...row } = raw
  const name = (first: unknown, last: unknown, email: unknown) => displayName({ first_name: first as string | null, last_name: last as string | null, email: email as string })
  return {
    ...row as unknown as AssetRequest,
    requester_name: name(rf, rl, row.requester_email),
    requester_email: row.requester_email as string,
    decider_name: de ? name(df, dl, de) : null,
    hardware_label: tag ? `${tag as string} ${hw as string}` : null
  }
}

/** One request of the workspace, within the scope; anything else is as missing as an unknown id. */
export async function findRequest (db: Knex, workspaceId: string, id: string, scope: RequestScope = {}): Promise<RequestView> {
  const raw = UUID.test(id) ? await requestsQuery(db, workspaceId, scope).where('r.id', id).first() : undefined
  if (!raw) throw new NotFoundError('Request', id)
  return toRequestView(raw)
}

export interface HardwareOption { id: string, asset_tag: string, name: string, category: string, model: string | null, serial: string }

/** Hardware that can fulfil a request: available, matching category first, narrowed by a search. */
export async function availableHardware (db: Knex, workspaceId: string, category: string, search: string, limit: number): Promise<{ options: HardwareOption[], more: boolean }> {
  const rows: HardwareOption[] = await db('hardware')
    .select('id', 'asset_tag', 'name', 'category', 'model', 'serial')
    .where({ workspace_id: workspaceId, status: 'available' })
    .modify(q => {
      if (!search) return
      const like = `%${escapeLike(search)}%`
      q.where(w => w.whereILike('asset_tag', like).orWhereILike('name', like).orWhereILike('serial', like).orWhereILike('model', like))
    })
    .orderByRaw('lower(category) = lower(?) DESC, asset_tag, id', [category])
    .limit(limit + 1)
  return { options: rows.slice(0, limit), more: rows.length > limit }
}
