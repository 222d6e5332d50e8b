import { defineConnector, type ConnectorContext, type EmailMessage, type TestResult } from '../../core/sdk.ts'
import { smtpFailure } from './failures.ts'
import { openTransport, type SmtpSettings } from './transport.ts'

async function withTransport<T> (ctx: ConnectorContext<SmtpSettings>, work: (transport: Awaited<ReturnType<typeof openTransport>>) => Promise<T>): Promise<T> {
  let transport: Awaited<ReturnType<typeof openTransport>> | undefined
  const abort = (): void => transport?.close()
  ctx.signal.addEventListener('abort', abort, { once: true })
  try {
    transport = await openTransport(ctx)
    return await work(transport)
  } catch (err) {
    throw smtpFailure(err, ctx.settings.host)
  } finally {
    ctx.signal.removeEventListener('abort', abort)
    transport?.close()
  }
}

async function send (ctx: ConnectorContext<SmtpSettings>, message: EmailMessage): Promise<{ messageId: string }> {
  const s = ctx.settings
  return await withTransport(ctx, async transport => {
    const info = await transport.sendMail({
      from: { name: s.fromName ?? 'Stocktake', address: s.fromAddress },
      to: message.to,
      cc: message.cc,
      replyTo: message.replyTo ?? s.replyTo,
      subject: message.subject,
      text: message.text,
      html: message.html,
      attachments: message.attachments?.map(a => ({
        filename: a.filename,
        contentType: a.contentType,
        content: a.content,
        encoding: typeof a.content === 'string' ? (a.encoding ?? 'base64') : undefined
      }))
    })
    // nodemailer resolves when some recipients were refused and others taken: all must be.
    const rejected = info.rejected ?? []
    if (rejected.length > 0) {
      const first = info.rejectedErrors?.[0] as { responseCode?: number, response?: string } | undefined
      throw Object.assign(new Error('recipients refused'), { code: 'EENVELOPE', rejected: rejected.map(String), responseCode: first?.responseCode, response: first?.response })
    }
    return { messageId: info.messageId }
  })
}

export default defineConnector<SmtpSettings>({
  /** Connects, negotiates TLS and signs in (nodemailer's verify): sends nothing. */
  async test (ctx): Promise<TestResult> {
    try {
      await withTransport(ctx, async transport => await transport.verify())
      return { ok: true, message: `Connected to ${ctx.settings.host} over ${ctx.settings.security === 'none' ? 'a plain connection' : 'TLS'}${ctx.settings.username ? ` and signed in as ${ctx.settings.username}` : ''}.` }
    } catch (err) {
      const failure = smtpFailure(err, ctx.settings.host)
      return { ok: false, reason: failure.reason, message: failure.message }
    }
  },
  email: { send }
})
