// SCIM 2.0 provisioning (RFC 7643/7644) for Okta and Microsoft Entra ID: a service provider mounted
// at /scim/v2. The identity provider's users are people of the register; its groups map to roles.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { defineConnector, type ConnectorRoutesOptions } from '../../core/sdk.ts'
import { requireScimToken } from './http/auth.ts'
import { acceptScimJson } from './http/body-parser.ts'
import { discoveryRoutes } from './http/discovery-routes.ts'
import { SCIM_ERROR_SHAPE, answerWithScimErrors } from './http/error-handler.ts'
import { RequestLog, logEveryRequest } from './http/request-log.ts'
import { refuseUnstorableText } from './http/unstorable-input.ts'
import { groupRoutes } from './groups/routes.ts'
import { scimPage } from './page/index.ts'
import { baseUrlOf, userRoutes } from './users/routes.ts'

async function scimRoutes (app: FastifyInstance, options: ConnectorRoutesOptions) {
  acceptScimJson(app)
  answerWithScimErrors(app)
  options.setErrorShape(SCIM_ERROR_SHAPE)
  requireScimToken(app, options.authenticate)
  refuseUnstorableText(app)
  logEveryRequest(app, new RequestLog(options.db, app.log))
  const base = (request: FastifyRequest) => baseUrlOf(app, request)
  discoveryRoutes(app, base)
  userRoutes(app, options)
  groupRoutes(app, options, base)
}

export default defineConnector({ routes: scimRoutes, page: scimPage })
