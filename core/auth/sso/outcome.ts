// How an SSO sign-in ends: the audit entry every outcome gets, and the refusal page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errorPage } from '../../admin/errors.ts'

export interface SsoAuditInput {
  pluginId: string
  method: string
  outcome: 'success' | 'failure' | 'denied'
  reason?: string
  email?: string
  userId?: string | null
  extra?: Record<string, unknown>
}

/** `auth.sign_in` with { method: 'sso', provider, idp, outcome, reason }, as password and link sign-ins are audited. */
export async function auditSsoSignIn (app: FastifyInstance, request: FastifyRequest, input: SsoAuditInput): Promise<void> {
  const label = input.email?.toLowerCase() ?? 'anonymous'
  const userId = input.userId ?? null
  await app.audit.record(app.db, request.workspace.id, { type: 'user', id: userId, label, requestId: request.id }, {
    action: 'auth.sign_in',
    outcome: input.outcome,
    ...(userId !== null || input.email !== undefined ? { target: { type: 'user', id: userId, label } } : {}),
    details: {
      ip: request.ip,
      method: 'sso',
      provider: input.pluginId,
      idp: input.method,
      outcome: input.outcome,
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
      ...input.extra
    }
  })
}

/** A refused sign-in: why, in plain words, and the way back to the sign-in page. Never a 500. */
export async function refusalPage (request: FastifyRequest, reply: FastifyReply, message: string, status = 403) {
  reply.header('Cache-Control', 'no-store')
  return errorPage(request, reply, {
    status,
    title: 'Not signed in',
    message,
    detail: 'You can try again from the sign-in page.',
    signIn: true
  })
}
