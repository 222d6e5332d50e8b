import type { FastifyInstance } from 'fastify'
import { unstorableFields } from '../../../core/sdk.ts'
import { ScimError } from '../errors.ts'

/**
 * Text PostgreSQL cannot store (a NUL character) anywhere in a SCIM request — an attribute of the
 * body, a filter, an id in the path — is 400 invalidValue naming where, before any handler reads it.
 */
export function refuseUnstorableText (app: FastifyInstance): void {
  app.addHook('preValidation', async request => {
    const found = [
      ...unstorableFields(request.params, 'path'),
      ...unstorableFields(request.query, 'query'),
      ...unstorableFields(request.body, 'body')
    ]
    if (found.length > 0) throw ScimError.invalidValue(found.map(f => f.field).join(', '), found[0].message)
  })
}
