import type { FastifyRequest } from 'fastify'

export type StringBodyParser = (request: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) => void

/**
 * How deep a JSON body may nest. Records and SCIM documents are a few levels deep; a body nested
 * thousands deep would exhaust the call stack of whatever walks it next (JSON.stringify, a
 * schema, the driver) and is refused before it is parsed.
 */
export const MAX_JSON_DEPTH = 32

/** True when the JSON text opens more than `max` arrays or objects inside each other: one pass, no parsing. */
export function jsonNestedDeeperThan (text: string, max = MAX_JSON_DEPTH): boolean {
  if (text.length <= max) return false
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      i = endOfString(text, i)
      if (i === -1) return false // unterminated: the parser refuses it
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true
    } else if (c === 125 || c === 93) {
      depth--
    }
  }
  return false
}

/** The index of the quote closing the string opened at `start` (one not escaped by a backslash), or -1. */
function endOfString (text: string, start: number): number {
  for (let quote = text.indexOf('"', start + 1); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0
    while (text.charCodeAt(quote - 1 - backslashes) === 92) backslashes++
    if (backslashes % 2 === 0) return quote
  }
  return -1
}

/** A JSON body nested deeper than MAX_JSON_DEPTH: a 400 in each context's shape. */
export class JsonTooDeepError extends Error {
  readonly statusCode = 400
  readonly code = 'STK_JSON_TOO_DEEP'
  constructor () {
    super(`The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`)
    this.name = 'JsonTooDeepError'
  }
}

/** Wraps a string JSON parser (Fastify's own, with its prototype-poisoning checks) with the depth limit. */
export function depthLimited (parse: StringBodyParser): StringBodyParser {
  return (request, body, done) => {
    if (jsonNestedDeeperThan(body)) return done(new JsonTooDeepError(), undefined)
    parse(request, body, done)
  }
}
