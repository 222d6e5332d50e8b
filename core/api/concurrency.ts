import type { FastifyReply, FastifyRequest } from 'fastify'
import { ConflictError, type VersionCheck } from '../register/index.ts'
import { badRequest, problem, ProblemError } from './problem.ts'

const ENTITY_TAG = /^(?:W\/)?"?(\d{1,9})"?$/

/**
 * Optimistic concurrency: the version the client read, from If-Match ("3") or a `version` field.
 * A stale If-Match is 412 Precondition Failed; a stale `version` field is 409 Conflict.
 */
export async function withVersion<T> (request: FastifyRequest, bodyVersion: number | undefined, write: (check: VersionCheck) => Promise<T>): Promise<T> {
  const header = request.headers['if-match']?.trim()
  let expectedVersion = bodyVersion
  const viaHeader = header !== undefined && header !== '*'
  if (viaHeader) {
    const match = ENTITY_TAG.exec(header)
    if (!match) throw badRequest('If-Match', 'format', 'must be the record\'s version as an entity tag, like "3"')
    const version = Number(match[1])
    if (bodyVersion !== undefined && bodyVersion !== version) throw badRequest('version', 'if_match', 'differs from the If-Match header')
    expectedVersion = version
  }
  try {
    return await write({ expectedVersion })
  } catch (err) {
    if (viaHeader && err instanceof ConflictError) {
      throw new ProblemError(problem(412, 'precondition-failed', 'The record was changed since the version in If-Match; read it again and retry.',
        [{ field: 'If-Match', rule: 'stale', message: 'is not the current version' }]))
    }
    throw err
  }
}

/** The record's version as its entity tag, for a later If-Match. */
export function withEtag<T extends { version: number }> (reply: FastifyReply, record: T): T {
  reply.header('etag', `"${record.version}"`)
  return record
}
