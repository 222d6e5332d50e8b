import type { FastifyInstance } from 'fastify'
import { findWorkspaceBySlug } from '../tenancy/index.ts'
import { systemActor } from '../audit/index.ts'
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords.ts'
import { findUserByEmail, setPasswordHash } from './users.ts'

export class PasswordRuleError extends Error {
  constructor (readonly field: string, readonly rule: string, message: string) { super(message) }
}

export function checkPasswordRules (password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new PasswordRuleError('password', 'minLength', `password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  }
}

/** Sets a user's password (ending their sessions) and audits it; the CLI's set-password. */
export async function setPassword (app: FastifyInstance, slug: string, email: string, password: string): Promise<void> {
  checkPasswordRules(password)
  const workspace = await findWorkspaceBySlug(app.db, slug)
  if (!workspace) throw new Error(`no workspace "${slug}"`)
  const user = await findUserByEmail(app.db, workspace.id, email)
  if (!user) throw new Error(`no user ${email} in workspace "${slug}"`)
  const hash = await hashPassword(password)
  await app.db.transaction(async trx => {
    await setPasswordHash(trx, workspace.id, user.id, hash)
    await app.audit.record(trx, workspace.id, systemActor, { action: 'auth.password_set', target: { type: 'user', id: user.id, label: user.email } })
  })
}
