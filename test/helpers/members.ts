import type { FastifyInstance } from 'fastify'
import type { Role } from '../../core/auth/roles.ts'
import { signIn, type TestSession } from './session.ts'

export interface Members {
  /** Adds a user with the role to the workspace (straight into the table: no audit, no events). */
  add: (role: Role, email: string) => Promise<{ id: string, email: string }>
  /** That user's browser, signed in on the workspace's host. */
  as: (user: { id: string }) => Promise<TestSession>
}

/** A workspace's members, for page tests that check what each role may do. */
export function members (app: FastifyInstance, workspace: { id: string, slug: string }): Members {
  return {
    async add (role, email) {
      const [row] = await app.db('users').insert({ workspace_id: workspace.id, email, role }).returning(['id', 'email'])
      return row as { id: string, email: string }
    },
    as: user => signIn(app, { slug: workspace.slug, workspaceId: workspace.id, userId: user.id })
  }
}
