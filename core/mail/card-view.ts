// The Email part of an email plugin's settings form: "Send a test email to me" (to the admin who
// clicks: the test capability knows no user, so the card asks the core's mail service, which knows
// who is signed in) and the workspace's latest messages from the log.
import type { FastifyInstance } from 'fastify'
import type { MailLogEntry } from './log.ts'

const STATUS_WORDS: Record<MailLogEntry['status'], string> = { queued: 'Queued', sent: 'Sent', failed: 'Failed' }

export interface MailCardView {
  /** Where the test email goes: the signed-in admin's address. */
  me: string
  /** Send needs the integration saved and enabled. */
  canSend: boolean
  messages: Array<MailLogEntry & { statusWords: string, recipients: string }>
  /** A message is still queued: the list refreshes itself. */
  pending: boolean
}

export async function mailCardView (app: FastifyInstance, workspaceId: string, me: string, enabled: boolean): Promise<MailCardView> {
  const messages = (await app.mail.latest(workspaceId, 10)).map(m => ({ ...m, statusWords: STATUS_WORDS[m.status], recipients: [...m.to, ...m.cc].join(', ') }))
  return { me, canSend: enabled, messages, pending: messages.some(m => m.status === 'queued') }
}
