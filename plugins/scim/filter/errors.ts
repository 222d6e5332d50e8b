/** The SCIM error types (RFC 7644 §3.12) a caller answers with status 400. */
export type ScimSyntaxErrorType = 'invalidFilter' | 'invalidPath'

/** A filter or PATCH path the server refuses; `scimType` says which SCIM error to answer with. */
export abstract class ScimSyntaxError extends Error {
  abstract readonly scimType: ScimSyntaxErrorType
  readonly status = 400
  /** 0-based offset in the input where the problem was found; absent when it is not positional. */
  readonly position: number | undefined

  constructor (message: string, position?: number) {
    super(message)
    this.position = position
  }
}

/** A bad `filter`: answer 400 with scimType invalidFilter. */
export class ScimFilterError extends ScimSyntaxError {
  readonly scimType = 'invalidFilter'
  override name = 'ScimFilterError'
}

/** A bad PATCH `path`: answer 400 with scimType invalidPath. */
export class ScimPathError extends ScimSyntaxError {
  readonly scimType = 'invalidPath'
  override name = 'ScimPathError'
}

export type SyntaxErrorClass = new (message: string, position?: number) => ScimSyntaxError
