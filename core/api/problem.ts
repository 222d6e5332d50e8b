import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { CursorError } from '../admin/list/index.ts'
import type { ErrorShape } from '../boundary/error-shapes.ts'
import { JsonTooDeepError, MAX_JSON_DEPTH } from '../boundary/json-depth.ts'
import { unstorableFields } from '../boundary/unstorable.ts'
import { isDataException } from '../db/index.ts'
import { ConflictError, NotFoundError, ValidationError, fieldErrors, type FieldError } from '../register/index.ts'

/** An RFC 9457 problem document; `errors` lists every field problem as {field, rule, message}. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  errors: FieldError[]
  [extension: string]: unknown
}

export const PROBLEM_TYPE = 'application/problem+json'

/** Problem types are URNs: stable names a client can branch on, documented in docs/api.md. */
const type = (name: string) => `urn:stocktake:problem:${name}`

/** An error that is already a problem document (and maybe response headers). */
export class ProblemError extends Error {
  constructor (readonly problem: Problem, readonly headers: Record<string, string> = {}) {
    super(problem.detail)
  }
}

export function problem (status: number, name: string, detail: string, errors: FieldError[] = [], extra: Record<string, unknown> = {}): Problem {
  return { type: type(name), title: STATUS_CODES[status] ?? 'Error', status, detail, errors, ...extra }
}

/** A 400 about one field of the request (a cursor, a header). */
export function badRequest (field: string, rule: string, message: string): ProblemError {
  return new ProblemError(problem(400, 'invalid-request', `${field} ${message}`, [{ field, rule, message }]))
}

export function sendProblem (reply: FastifyReply, body: Problem, headers: Record<string, string> = {}) {
  return reply.code(body.status).headers(headers).type(PROBLEM_TYPE).send(JSON.stringify(body))
}

const CONTEXT_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'headers' }

/** Every error under /api as a problem document; nothing else (no HTML page, no stack) is ever sent. */
export function toProblem (error: FastifyError | Error, request: FastifyRequest): { body: Problem, headers?: Record<string, string> } {
  if (error instanceof ProblemError) return { body: error.problem, headers: error.headers }
  if (error instanceof ValidationError) {
    return { body: problem(422, 'validation', 'The request was refused: see errors for each field.', error.errors) }
  }
  if (error instanceof NotFoundError) return { body: problem(404, 'not-found', error.message) }
  if (error instanceof ConflictError) {
    return { body: problem(409, 'conflict', 'The record was changed since the version given; read it again and retry.', [{ field: 'version', rule: 'stale', message: 'is not the current version' }]) }
  }
  if (error instanceof CursorError) return { body: badRequest('cursor', 'cursor', 'is damaged or belongs to another sort; start again without it').problem }
  const e = error as FastifyError
  if (e.validation) {
    const where = CONTEXT_NAMES[e.validationContext ?? 'body'] ?? 'body'
    const errors = fieldErrors(e.validation as Parameters<typeof fieldErrors>[0], where)
    return { body: problem(400, 'invalid-request', `The ${where} of the request is not valid: see errors for each field.`, errors) }
  }
  const status = e.statusCode ?? 500
  if (status === 429) {
    return { body: problem(429, 'rate-limited', e.message || 'Too many requests for this token; wait and retry.') }
  }
  if (error instanceof JsonTooDeepError) {
    return { body: problem(400, 'invalid-json', error.message, [{ field: 'body', rule: 'depth', message: `must not nest arrays and objects more than ${MAX_JSON_DEPTH} deep` }]) }
  }
  if (isDataException(error)) {
    // A value the database refused that no check caught before: the request's fault, and a gap to close.
    request.log.warn({ err: error }, 'API request refused by the database (data exception)')
    return { body: problem(400, 'unstorable', `A value in the request cannot be stored (database data exception ${(error as { code?: string }).code}): check its dates, numbers and text.`) }
  }
  if (status >= 500) {
    request.log.error({ err: error }, 'API request failed')
    return { body: problem(500, 'internal', 'Something went wrong on our side. The error has been logged; try again in a moment.') }
  }
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return { body: problem(400, 'invalid-json', e.message, [{ field: 'body', rule: 'json', message: 'must be a JSON document' }]) }
  }
  return { body: problem(status, 'request', e.message) }
}

/**
 * Text PostgreSQL cannot store (a NUL character) anywhere in the request's path, query or body:
 * one 400 naming every field, before the schema or a handler sees the request.
 */
export function unstorableInput (request: FastifyRequest): ProblemError | null {
  const errors = [
    ...unstorableFields(request.params, 'path'),
    ...unstorableFields(request.query, 'query'),
    ...unstorableFields(request.body, 'body')
  ]
  if (errors.length === 0) return null
  return new ProblemError(problem(400, 'invalid-request', 'The request has text that cannot be stored: see errors for each field.', errors))
}

const BEFORE_ROUTING: Record<number, string> = { 400: 'malformed-request', 408: 'request-timeout', 414: 'uri-too-long', 431: 'headers-too-large' }

/** Answers written before a request reaches the API (Node's parser, Fastify's router) as problem documents too. */
export const PROBLEM_SHAPE: ErrorShape = {
  contentType: PROBLEM_TYPE,
  body: (status, detail) => JSON.stringify(problem(status, BEFORE_ROUTING[status] ?? 'request', detail))
}
