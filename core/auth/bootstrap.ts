import type { FastifyInstance } from 'fastify'
import { ensureWorkspace, type Workspace } from '../tenancy/index.ts'
import { systemActor } from '../audit/index.ts'
import { issueSignInLink, signInLinkUrl } from './sign-in-links.ts'
import { findUserByEmail } from './users.ts'
import type { Role } from './roles.ts'

export interface AdminAccess {
  workspace: Workspace
  email: string
  createdWorkspace: boolean
  createdUser: boolean
  signInUrl: string
}

/**
 * Makes sure the workspace and the user exist (creating them as needed) and issues a one-time
 * sign-in link: the first-start bootstrap and `stocktake create-admin` both use it.
 */
export async function grantAdminAccess (app: FastifyInstance, slug: string, email: string, role: Role = 'super-admin'): Promise<AdminAccess> {
  const { workspace, created: createdWorkspace } = await ensureWorkspace(app.db, slug)
  const existing = await findUserByEmail(app.db, workspace.id, email)
  const user = existing ?? await app.registry.people.create(workspace.id, systemActor, { email, role })
  const token = await issueSignInLink(app.db, workspace.id, user.id)
  return {
    workspace,
    email: user.email,
    createdUser: !existing,
    createdWorkspace,
    signInUrl: signInLinkUrl(app.config, workspace.slug, token)
  }
}
