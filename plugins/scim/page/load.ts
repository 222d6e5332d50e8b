import type { Knex } from 'knex'
import type { ConnectorContext, PageTools, PersonRole } from '../../../core/sdk.ts'
import { LOG_RETENTION_DAYS } from '../http/request-log.ts'
import { RANKED_ROLES } from '../groups/roles.ts'

const RECENT = 50
const ERRORS = 20

interface LoggedRequest {
  at: Date
  token_name: string | null
  method: string
  path: string
  status: number
  scim_type: string | null
  detail: string | null
  duration_ms: number
}

interface GroupRow { id: string, display_name: string, role: PersonRole | null, members: string }

const LOG_COLUMNS = ['at', 'token_name', 'method', 'path', 'status', 'scim_type', 'detail', 'duration_ms']

async function recentRequests (db: Knex, workspaceId: string, onlyErrors: boolean): Promise<LoggedRequest[]> {
  const query = db('scim_requests').select(LOG_COLUMNS).where({ workspace_id: workspaceId }).orderBy('id', 'desc').limit(onlyErrors ? ERRORS : RECENT)
  // Spelled as the partial index's predicate so the newest errors are read from it.
  if (onlyErrors) query.where('status', '>=', 400)
  return await query
}

async function lastDay (db: Knex, workspaceId: string): Promise<{ requests: number, errors: number }> {
  const row = await db('scim_requests').where({ workspace_id: workspaceId }).where('at', '>', db.raw("now() - interval '1 day'"))
    .first(db.raw('count(*)::int AS requests'), db.raw('(count(*) FILTER (WHERE status >= 400))::int AS errors'))
  return { requests: row?.requests ?? 0, errors: row?.errors ?? 0 }
}

/** The groups by name, each with how many members the identity provider sent. */
async function groupsWithMembers (db: Knex, workspaceId: string): Promise<GroupRow[]> {
  const { rows } = await db.raw(`
    SELECT g.id, g.display_name, g.role, (SELECT count(*) FROM scim_group_members m WHERE m.workspace_id = g.workspace_id AND m.group_id = g.id) AS members
    FROM scim_groups g WHERE g.workspace_id = ? ORDER BY lower(g.display_name)`, [workspaceId])
  return rows
}

const asRequest = (r: LoggedRequest) => ({ ...r, failed: r.status >= 400 })

/** What the SCIM page's template shows: the group → role mappings and the provisioning log. */
export async function loadScimPage (ctx: ConnectorContext, tools: PageTools): Promise<Record<string, unknown>> {
  const workspaceId = ctx.workspace.id
  const [groups, recent, failed, day] = await Promise.all([
    groupsWithMembers(tools.db, workspaceId),
    recentRequests(tools.db, workspaceId, false),
    recentRequests(tools.db, workspaceId, true),
    lastDay(tools.db, workspaceId)
  ])
  return {
    canMapRoles: tools.user.role === 'super-admin',
    roles: RANKED_ROLES,
    groups: groups.map(g => ({ id: g.id, displayName: g.display_name, role: g.role ?? '', members: Number(g.members) })),
    mappings: groups.filter(g => g.role !== null).length,
    logs: [
      { id: 'errors', title: 'Last errors', rows: failed.map(asRequest), empty: 'No refused requests.' },
      { id: 'recent', title: 'Recent requests', rows: recent.map(asRequest), empty: 'No requests yet. Once the identity provider is connected, its requests appear here.' }
    ],
    lastDay: day,
    retentionDays: LOG_RETENTION_DAYS
  }
}
