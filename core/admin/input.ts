import type { FastifyInstance } from 'fastify'
import { unstorableFields } from '../boundary/unstorable.ts'

/** A page address (path or query: a search, a filter, a cursor) with text that cannot be stored or searched for. */
export class UnstorableAddressError extends Error {
  readonly statusCode = 400
}

/**
 * Refuses a page request whose path or query holds text PostgreSQL cannot take (a NUL
 * character), with a 400 page naming the parameter, before any list or form handler reads it (a
 * preHandler registered after the page context's, so the page has its menu). Posted forms are
 * checked by what validates them (the register's validator: a message beside the field).
 */
export function refuseUnstorableAddresses (app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const found = [...unstorableFields(request.params, 'path'), ...unstorableFields(request.query, 'query')]
    if (found.length === 0) return
    const fields = [...new Set(found.map(f => f.field))].join(', ')
    throw new UnstorableAddressError(`The address of this page is not valid: ${fields} must not contain NUL characters (U+0000) or broken Unicode.`)
  })
}
