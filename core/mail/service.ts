// app.mail.send: the one way a feature sends email. The message is checked, logged (queued) and
// enqueued in one transaction — sealed with the workspace's data key inside its pg-boss job, so no
// body (a passcode, an invitation link) rests in plain text. A worker hands it to the workspace's
// connected email connector; a network failure or a 4xx reply is retried with backoff, anything
// else (a refused recipient, a wrong password) fails the message at once. Every attempt and outcome
// is on its log row.
import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { ConnectorError, type Connector, type EmailMessage } from '../sdk/contract.ts'
import { connectionColumns } from '../integrations/connection-state.ts'
import { latestMessages, logAttempt, logOutcome, logQueued, mailEntry, type MailLogEntry } from './log.ts'
import { checkedMessage } from './message.ts'

export const MAIL_JOB = 'mail.send'

export interface MailTuning {
  /** Retries after the first attempt. */
  retryLimit: number
  /** Seconds before the first retry; doubled (with jitter) for each next one. */
  retryDelaySeconds: number
}
/** 5 retries after the first attempt, from 1–2 min doubling each time (30–60 min in all): a relay restarting or throttling recovers within it. */
export const DEFAULT_MAIL_TUNING: MailTuning = { retryLimit: 5, retryDelaySeconds: 60 }

/** No email connector is connected in the workspace: said to the caller, nothing queued. */
export class MailNotConnectedError extends Error {
  readonly code = 'mail_not_connected'
  readonly statusCode = 409
  constructor () {
    super('No email is connected: an admin connects Email (SMTP) under Settings → Integrations before Stocktake can send email.')
    this.name = 'MailNotConnectedError'
  }
}

export interface SendOptions {
  /** What the message is, for the log: 'test', 'notification', 'agreement', 'invitation', … */
  kind: string
  /** Queue it in the caller's transaction: it is sent if and only if that commits. */
  trx?: Knex.Transaction
}

interface MailJob { workspaceId: string, mailId: string, sealed: string }

export class MailService {
  private readonly tuning: MailTuning

  constructor (private readonly app: FastifyInstance, tuning: Partial<MailTuning> = {}) {
    this.tuning = { ...DEFAULT_MAIL_TUNING, ...tuning }
    app.jobs.define<MailJob>({ name: MAIL_JOB, retryLimit: this.tuning.retryLimit, handler: async job => { await this.deliver(job) } })
  }

  /** Queues one message; its log entry's id. Throws ValidationError (bad message) or MailNotConnectedError. */
  async send (workspaceId: string, input: EmailMessage, options: SendOptions): Promise<{ id: string }> {
    const message = checkedMessage(input)
    const queue = async (trx: Knex.Transaction): Promise<string> => {
      const sender = await this.sender(trx, workspaceId)
      if (sender === null) throw new MailNotConnectedError()
      const mailId = await logQueued(trx, workspaceId, options.kind, message, sender.id)
      const sealed = await this.app.secrets.encrypt(workspaceId, JSON.stringify(message), trx)
      await this.app.jobs.send(MAIL_JOB, { workspaceId, mailId, sealed } satisfies MailJob, {
        trx, retryLimit: this.tuning.retryLimit, retryDelay: this.tuning.retryDelaySeconds, retryBackoff: true
      })
      return mailId
    }
    const id = options.trx ? await queue(options.trx) : await this.app.db.transaction(queue)
    return { id }
  }

  async latest (workspaceId: string, limit?: number): Promise<MailLogEntry[]> {
    return await latestMessages(this.app.db, workspaceId, limit)
  }

  async entry (workspaceId: string, id: string): Promise<MailLogEntry | undefined> {
    return await mailEntry(this.app.db, workspaceId, id)
  }

  private async connection (workspaceId: string, pluginId: string, ok: boolean, reason: string): Promise<void> {
    await this.app.db('integrations').where({ workspace_id: workspaceId, plugin_id: pluginId }).update(connectionColumns(this.app.db, ok, reason))
  }

  /**
   * The enabled plugin with the email capability (the first by name if several), read on `db` —
   * the caller's transaction when there is one, as the embedded database runs one at a time.
   */
  private async sender (db: Knex | Knex.Transaction, workspaceId: string): Promise<{ id: string, connector: Required<Pick<Connector, 'email'>> } | null> {
    const senders = this.app.integrations.plugins.filter(p => p.connector?.email !== undefined && p.manifest.status !== 'coming-soon')
    if (senders.length === 0) return null
    const enabled = new Set<string>(await db('integrations').where({ workspace_id: workspaceId, enabled: true }).whereIn('plugin_id', senders.map(p => p.id)).pluck('plugin_id'))
    const plugin = senders.find(p => enabled.has(p.id))
    return plugin === undefined ? null : { id: plugin.id, connector: plugin.connector as Required<Pick<Connector, 'email'>> }
  }

  /** One attempt; throws only to have pg-boss retry it. At least once: a message already sent or failed is left alone. */
  private async deliver (job: MailJob): Promise<void> {
    const { workspaceId, mailId } = job
    const attempt = await logAttempt(this.app.db, workspaceId, mailId)
    if (attempt === null) return
    const last = attempt.attempts > this.tuning.retryLimit
    const sender = await this.sender(this.app.db, workspaceId)
    if (sender === null) {
      await logOutcome(this.app.db, workspaceId, mailId, { status: 'failed', lastError: new MailNotConnectedError().message })
      return
    }
    let messageId: string
    try {
      const message = JSON.parse(await this.app.secrets.decrypt(workspaceId, job.sealed)) as EmailMessage
      const ctx = await this.app.integrations.contextFor(sender.id, workspaceId)
      messageId = (await sender.connector.email.send(ctx, message)).messageId
    } catch (err) {
      const failure = err instanceof ConnectorError ? err : new ConnectorError('network', `The email connector failed: ${(err as Error).message}`)
      const retry = failure.reason === 'network' && !last
      // As after a run: a refused sign-in marks the card "Needs attention" until the password is fixed.
      if (failure.reason === 'auth') await this.connection(workspaceId, sender.id, false, failure.message)
      await logOutcome(this.app.db, workspaceId, mailId, { status: retry ? 'queued' : 'failed', lastError: failure.message, pluginId: sender.id })
      if (retry) throw failure
      return
    }
    // Outside the try: once the relay took it, nothing here may turn it into a retry (a second copy).
    await this.connection(workspaceId, sender.id, true, '')
    await logOutcome(this.app.db, workspaceId, mailId, { status: 'sent', messageId, pluginId: sender.id })
  }
}
