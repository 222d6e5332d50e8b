import fp from 'fastify-plugin'

export interface Registry {}

declare module 'fastify' {
  interface FastifyInstance {
    /** The register services: the only code that writes hardware, people, software and requests. */
    registry: Registry
  }
}

export default fp(async (app) => {
  app.decorate('registry', {})
}, { name: 'register', dependencies: ['db', 'audit', 'events'] })
