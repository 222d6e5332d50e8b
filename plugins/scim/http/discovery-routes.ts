import type { FastifyInstance, FastifyRequest } from 'fastify'
import { resourceType, resourceTypes, schema, schemas, serviceProviderConfig } from '../discovery/index.ts'
import { route } from './case-insensitive.ts'
import { sendScim } from './reply.ts'

type Named = FastifyRequest<{ Params: { name: string } }>

/** /ServiceProviderConfig (and Microsoft's /serviceConfiguration), /ResourceTypes, /Schemas. */
export function discoveryRoutes (app: FastifyInstance, baseUrlOf: (request: FastifyRequest) => string): void {
  for (const path of ['/ServiceProviderConfig', '/serviceConfiguration']) {
    route(app, 'GET', path, async (request, reply) => sendScim(reply, 200, serviceProviderConfig(baseUrlOf(request))))
  }
  route(app, 'GET', '/ResourceTypes', async (request, reply) => sendScim(reply, 200, resourceTypes(baseUrlOf(request))))
  route(app, 'GET', '/ResourceTypes/:name', async (request, reply) => sendScim(reply, 200, resourceType(baseUrlOf(request), (request as Named).params.name)))
  route(app, 'GET', '/Schemas', async (request, reply) => sendScim(reply, 200, schemas(baseUrlOf(request))))
  route(app, 'GET', '/Schemas/:name', async (request, reply) => sendScim(reply, 200, schema(baseUrlOf(request), (request as Named).params.name)))
}
