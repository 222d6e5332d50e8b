// The per-message log (migrations/025_mail.ts): always by workspace, never a body.
import type { Knex } from 'knex'
import type { EmailMessage } from '../sdk/contract.ts'

export type MailStatus = 'queued' | 'sent' | 'failed'

export interface MailLogEntry {
  id: string
  kind: string
  to: string[]
  cc: string[]
  subject: string
  status: MailStatus
  attempts: number
  pluginId: string | null
  lastError: string | null
  messageId: string | null
  createdAt: Date
  updatedAt: Date
  sentAt: Date | null
}

const COLUMNS = {
  id: 'id',
  kind: 'kind',
  to: 'to_addresses',
  cc: 'cc_addresses',
  subject: 'subject',
  status: 'status',
  attempts: 'attempts',
  pluginId: 'plugin_id',
  lastError: 'last_error',
  messageId: 'message_id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  sentAt: 'sent_at'
}

export async function logQueued (trx: Knex.Transaction, workspaceId: string, kind: string, message: EmailMessage, pluginId: string): Promise<string> {
  const [row] = await trx('mail_messages').insert({
    workspace_id: workspaceId, kind, to_addresses: message.to, cc_addresses: message.cc ?? [], subject: message.subject, plugin_id: pluginId
  }).returning('id')
  return row.id as string
}

/** Counts the attempt about to be made; null when the message is not queued any more (sent or failed: nothing to do). */
export async function logAttempt (db: Knex, workspaceId: string, id: string): Promise<{ attempts: number } | null> {
  const [row] = await db('mail_messages').where({ workspace_id: workspaceId, id, status: 'queued' })
    .update({ attempts: db.raw('attempts + 1'), updated_at: db.fn.now() }).returning('attempts')
  return row === undefined ? null : { attempts: row.attempts as number }
}

export async function logOutcome (db: Knex, workspaceId: string, id: string, outcome: { status: MailStatus, lastError?: string | null, messageId?: string, pluginId?: string }): Promise<void> {
  await db('mail_messages').where({ workspace_id: workspaceId, id }).update({
    status: outcome.status,
    last_error: outcome.lastError ?? null,
    ...(outcome.messageId === undefined ? {} : { message_id: outcome.messageId, sent_at: db.fn.now() }),
    ...(outcome.pluginId === undefined ? {} : { plugin_id: outcome.pluginId }),
    updated_at: db.fn.now()
  })
}

export async function latestMessages (db: Knex, workspaceId: string, limit = 10): Promise<MailLogEntry[]> {
  return await db('mail_messages').where({ workspace_id: workspaceId }).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit).select(COLUMNS)
}

export async function mailEntry (db: Knex, workspaceId: string, id: string): Promise<MailLogEntry | undefined> {
  return await db('mail_messages').where({ workspace_id: workspaceId, id }).first(COLUMNS)
}
