import type { FastifyInstance } from 'fastify'
import { allowPrivateHosts, privateHosts, PrivateHostError, removePrivateHosts } from '../core/integrations/private-hosts.ts'
import { findWorkspaceBySlug } from '../core/tenancy/index.ts'
import { cliActor, IntegrationUsageError } from './integration-command.ts'

export const PRIVATE_HOST_USAGE = `  allow-private-host --workspace <slug> [--remove] [<host> ...]
                                         let the workspace's integrations reach these hosts although they
                                         are, or resolve to, private addresses (an on-premises Jamf Pro);
                                         --remove takes them off; prints the workspace's list`

/** `stocktake allow-private-host --workspace <slug> [--remove] [host ...]`: changes, then prints, the allowlist. */
export async function privateHostCommand (app: FastifyInstance, slug: string, hosts: string[], remove: boolean): Promise<void> {
  const workspace = await findWorkspaceBySlug(app.db, slug)
  if (!workspace) throw new IntegrationUsageError(`--workspace: no workspace "${slug}" (exists)`)
  if (remove && hosts.length === 0) throw new IntegrationUsageError('--remove needs the hosts to take off')
  try {
    const changed = remove
      ? await removePrivateHosts(app.db, workspace.id, cliActor, hosts)
      : await allowPrivateHosts(app.db, workspace.id, cliActor, hosts)
    if (hosts.length > 0) {
      console.log(changed.length === 0
        ? `Nothing changed: ${remove ? 'none of these hosts was on' : 'these hosts were already on'} the list of "${slug}".`
        : `${remove ? 'Removed' : 'Allowed'} for the integrations of "${slug}": ${changed.join(', ')}.`)
    }
  } catch (err) {
    if (err instanceof PrivateHostError) throw new IntegrationUsageError(err.message)
    throw err
  }
  const list = await privateHosts(app.db, workspace.id)
  console.log(list.length === 0
    ? `The integrations of "${slug}" may reach public addresses only.`
    : `Hosts the integrations of "${slug}" may reach on private addresses: ${list.join(', ')}`)
}
