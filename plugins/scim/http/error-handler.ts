import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isDataException, NotFoundError, ValidationError, type ErrorShape } from '../../../core/sdk.ts'
import { ScimError, scimErrorBody } from '../errors.ts'
import { ScimSyntaxError } from '../filter/index.ts'
import { SCIM_CONTENT_TYPE, sendScim } from './reply.ts'

/** The unique indexes of the plugin's tables, and what a client is told when one refuses a write. */
const UNIQUE: Record<string, string> = {
  scim_users_user_name_key: 'userName is already provisioned in this workspace',
  scim_groups_display_name_key: 'displayName is already a group in this workspace'
}

/** Any failure as the SCIM error it is (RFC 7644 §3.12). */
export function toScimError (error: unknown): ScimError {
  if (error instanceof ScimError) return error
  const { code, constraint } = error as { code?: string, constraint?: string }
  if (code === '23505' && constraint && UNIQUE[constraint]) return new ScimError(409, 'uniqueness', UNIQUE[constraint])
  if (error instanceof ScimSyntaxError) return new ScimError(400, error.scimType, error.message)
  if (error instanceof NotFoundError) return new ScimError(404, undefined, error.message)
  if (error instanceof ValidationError) {
    const unique = error.errors.find(e => e.rule === 'unique')
    if (unique) return new ScimError(409, 'uniqueness', `${unique.field} ${unique.message}`)
    return new ScimError(400, 'invalidValue', error.errors.map(e => `${e.field} ${e.message}`).join('; '))
  }
  if (isDataException(error)) {
    return new ScimError(400, 'invalidValue', `A value cannot be stored (database data exception ${(error as { code: string }).code}): check its dates, numbers and text.`)
  }
  const status = (error as FastifyError).statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ScimError(status, status === 400 ? 'invalidSyntax' : undefined, (error as Error).message)
  }
  return new ScimError(500, undefined, 'The request could not be completed; it was logged.')
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The SCIM error answered, for the provisioning log. */
    scimError?: ScimError
  }
}

/** Every error, the framework's own 400/404/415 included, answered as SCIM error JSON. */
export function answerWithScimErrors (app: FastifyInstance): void {
  app.setErrorHandler(async (error, request: FastifyRequest, reply: FastifyReply) => {
    const scim = toScimError(error)
    if (scim.status >= 500) request.log.error({ err: error }, 'SCIM request failed')
    else if (isDataException(error)) request.log.warn({ err: error }, 'SCIM request refused by the database (data exception)')
    request.scimError = scim
    if (scim.status === 401) reply.header('www-authenticate', 'Bearer realm="stocktake-scim"')
    return sendScim(reply, scim.status, scimErrorBody(scim.status, scim.scimType, scim.message))
  })
  app.setNotFoundHandler(async (request, reply) => {
    const scim = new ScimError(404, undefined, `There is no ${request.method} ${request.url.split('?')[0]} in this SCIM service.`)
    request.scimError = scim
    return sendScim(reply, 404, scimErrorBody(404, undefined, scim.message))
  })
}

/** The SCIM error document for answers written before a request reaches these routes (431, a malformed request). */
export const SCIM_ERROR_SHAPE: ErrorShape = {
  contentType: SCIM_CONTENT_TYPE,
  body: (status, detail) => JSON.stringify(scimErrorBody(status, status === 400 ? 'invalidSyntax' : undefined, detail))
}
