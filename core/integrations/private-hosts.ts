// The operator's allowlist of hosts a workspace's integrations may reach although they are, or
// resolve to, private or other special-purpose addresses (ctx.http refuses those otherwise; see
// core/net/address-guard.ts). Changed only from the command line: a workspace admin cannot lift
// the guard that protects the server's own network from that workspace.
import type { Knex } from 'knex'
import { recordAudit, type Actor } from '../audit/index.ts'
import { normalizeHost } from '../net/address-guard.ts'

const TABLE = 'integration_private_hosts'

/** Thrown for a host that is neither a DNS name nor an IP address. */
export class PrivateHostError extends Error {}

/** The hosts allowed for a workspace, sorted. */
export async function privateHosts (db: Knex | Knex.Transaction, workspaceId: string): Promise<string[]> {
  const rows: Array<{ host: string }> = await db(TABLE).where({ workspace_id: workspaceId }).orderBy('host').select('host')
  return rows.map(row => row.host)
}

function parseHosts (raw: string[]): string[] {
  const hosts = raw.map(value => {
    const host = normalizeHost(value)
    if (host === null) throw new PrivateHostError(`"${value}" is not a host: give a name such as jamf.corp.example or an IP address, without scheme, port or path`)
    return host
  })
  return [...new Set(hosts)]
}

/** Adds hosts to a workspace's allowlist (audited); returns those that were not on it yet. */
export async function allowPrivateHosts (db: Knex, workspaceId: string, actor: Actor, raw: string[]): Promise<string[]> {
  const hosts = parseHosts(raw)
  if (hosts.length === 0) return []
  return await db.transaction(async trx => {
    const added: Array<{ host: string }> = await trx(TABLE).insert(hosts.map(host => ({ workspace_id: workspaceId, host })))
      .onConflict(['workspace_id', 'host']).ignore().returning('host')
    await recordAudit(trx, workspaceId, actor, added.map(({ host }) => ({
      action: 'integration.private_host_allowed', target: { type: 'private_host', id: host, label: host }
    })))
    return added.map(row => row.host)
  })
}

/** Takes hosts off a workspace's allowlist (audited); returns those that were on it. */
export async function removePrivateHosts (db: Knex, workspaceId: string, actor: Actor, raw: string[]): Promise<string[]> {
  const hosts = parseHosts(raw)
  if (hosts.length === 0) return []
  return await db.transaction(async trx => {
    const removed: Array<{ host: string }> = await trx(TABLE).where({ workspace_id: workspaceId }).whereIn('host', hosts).delete().returning('host')
    await recordAudit(trx, workspaceId, actor, removed.map(({ host }) => ({
      action: 'integration.private_host_removed', target: { type: 'private_host', id: host, label: host }
    })))
    return removed.map(row => row.host)
  })
}
