import fp from 'fastify-plugin'
import { Outbox } from './outbox.ts'

export * from './types.ts'
export { Outbox, DISPATCH_JOB } from './outbox.ts'

declare module 'fastify' {
  interface FastifyInstance {
    events: Outbox
  }
}

export default fp(async (app) => {
  app.decorate('events', new Outbox(app.db, app.jobs))
}, { name: 'events', dependencies: ['db', 'jobs'] })
