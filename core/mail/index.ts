import fp from 'fastify-plugin'
import { MailService, type MailTuning } from './service.ts'

export { MailNotConnectedError, MailService, MAIL_JOB, type MailTuning, type SendOptions } from './service.ts'
export type { MailLogEntry, MailStatus } from './log.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Email for any feature: app.mail.send(workspaceId, message, { kind }) — see core/mail/service.ts. */
    mail: MailService
  }
}

export default fp<{ tuning?: Partial<MailTuning> }>(async (app, opts) => {
  app.decorate('mail', new MailService(app, opts.tuning))
}, { name: 'mail', dependencies: ['db', 'secrets', 'jobs', 'integrations'] })
