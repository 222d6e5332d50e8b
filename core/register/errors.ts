/** One problem with one input field: `rule` is a stable code a client can branch on. */
export interface FieldError {
  field: string
  rule: string
  message: string
}

/** Input the register refuses; every problem found is listed, not only the first. */
export class ValidationError extends Error {
  readonly statusCode = 422
  readonly errors: FieldError[]

  constructor (errors: FieldError[]) {
    super(errors.map(e => `${e.field}: ${e.message} (${e.rule})`).join('; '))
    this.name = 'ValidationError'
    this.errors = errors
  }

  static of (field: string, rule: string, message: string): ValidationError {
    return new ValidationError([{ field, rule, message }])
  }
}

/** A record that does not exist, or exists in another workspace (the two look the same). */
export class NotFoundError extends Error {
  readonly statusCode = 404

  constructor (noun: string, id: string) {
    super(`${noun} ${id} was not found`)
    this.name = 'NotFoundError'
  }
}

/** The record changed since the caller read it (optimistic concurrency). */
export class ConflictError extends Error {
  readonly statusCode = 409

  constructor (noun: string) {
    super(`This ${noun.toLowerCase()} was changed by someone else since you loaded it; reload it and try again`)
    this.name = 'ConflictError'
  }
}
