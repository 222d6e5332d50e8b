import type { FastifyInstance } from 'fastify'
import { ensureWorkspace, type Workspace } from '../tenancy/index.ts'
import { systemActor } from '../audit/index.ts'
import { issueSignInLink, signInLinkUrl } from './sign-in-links.ts'
import { findUserByEmail } from './users.ts'
import type { Role } from './roles.ts'
import type { NameParts } from './person-name.ts'
import { PEOPLE } from '../register/index.ts'
import { personLabel } from '../register/people.schema.ts'

export interface AdminAccess {
  workspace: Workspace
  email: string
  createdWorkspace: boolean
  createdUser: boolean
  /** An existing user without a name was given the name passed. */
  named: boolean
  signInUrl: string
}

/**
 * Makes sure the workspace and the user exist (creating them as needed, with their name when it is
 * given) and issues a one-time sign-in link: the first-start bootstrap and `stocktake create-admin`
 * both use it. An existing user keeps their role; one without a name gets the name given. The
 * link is audited, as a link an admin sends from a page is.
 */
export async function grantAdminAccess (app: FastifyInstance, slug: string, email: string, role: Role = 'super-admin', name?: NameParts): Promise<AdminAccess> {
  const { workspace, created: createdWorkspace } = await ensureWorkspace(app.db, slug)
  const existing = await findUserByEmail(app.db, workspace.id, email)
  const user = existing ?? await app.registry.people.create(workspace.id, systemActor, { email, role, ...name })
  const named = Boolean(name && existing && !existing.first_name && !existing.last_name)
  if (named) await app.registry.people.update(workspace.id, systemActor, existing!.id, name!)
  const token = await app.db.transaction(async trx => {
    const issued = await issueSignInLink(trx, workspace.id, user.id)
    await app.audit.record(trx, workspace.id, systemActor, { action: 'auth.sign_in_link_created', target: { type: PEOPLE.target, id: user.id, label: personLabel({ ...user, ...(named ? name : {}) }) } })
    return issued
  })
  return {
    workspace,
    email: user.email,
    createdUser: !existing,
    createdWorkspace,
    named,
    signInUrl: signInLinkUrl(app.config, workspace.slug, token)
  }
}
