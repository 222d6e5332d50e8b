import type { FastifyInstance } from 'fastify'
import { ScimError } from '../errors.ts'

/**
 * SCIM clients send `application/scim+json` or `application/json`, sometimes with an empty body
 * (DELETE, GET) under a JSON content type: one parser takes both, an empty body as none, and
 * malformed JSON as 400 invalidSyntax.
 */
export function acceptScimJson (app: FastifyInstance): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body)
    if (text.trim() === '') return done(null, undefined)
    try {
      done(null, JSON.parse(text))
    } catch (err) {
      done(new ScimError(400, 'invalidSyntax', `The body is not valid JSON: ${(err as Error).message}`), undefined)
    }
  })
}
