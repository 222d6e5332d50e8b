import type { FastifyInstance } from 'fastify'
import { MAX_JSON_DEPTH, jsonNestedDeeperThan } from '../../../core/sdk.ts'
import { ScimError } from '../errors.ts'

/**
 * SCIM clients send `application/scim+json` or `application/json`, sometimes with an empty body
 * (DELETE, GET) under a JSON content type: one parser takes both, an empty body as none, and
 * malformed JSON, or JSON nested deeper than any SCIM document (checked before parsing), as 400
 * invalidSyntax.
 */
export function acceptScimJson (app: FastifyInstance): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body)
    if (text.trim() === '') return done(null, undefined)
    if (jsonNestedDeeperThan(text)) return done(new ScimError(400, 'invalidSyntax', `The body nests arrays and objects more than ${MAX_JSON_DEPTH} deep.`), undefined)
    try {
      done(null, JSON.parse(text))
    } catch (err) {
      done(new ScimError(400, 'invalidSyntax', `The body is not valid JSON: ${(err as Error).message}`), undefined)
    }
  })
}
