// Errors of ctx.http beyond the contract's own (RetryLaterError, HostNotAllowedError, HttpStatusError).
import { HttpStatusError } from '../http-types.ts'

/**
 * The OAuth2 token endpoint refused (e.g. Microsoft AADSTS7000215, invalid client secret). An
 * HttpStatusError whose message carries the vendor's error and description for Test connection;
 * the client secret is redacted from both the message and the body.
 */
export class OAuth2TokenError extends HttpStatusError {
  override name = 'OAuth2TokenError'
  readonly error: string | undefined
  readonly description: string | undefined

  constructor (status: number, url: string, body: unknown) {
    super(status, url, body)
    const fields = typeof body === 'object' && body !== null ? body as Record<string, unknown> : {}
    this.error = typeof fields.error === 'string' ? fields.error : undefined
    this.description = typeof fields.error_description === 'string'
      ? fields.error_description
      : typeof body === 'string' && body.trim() !== '' ? body.trim().slice(0, 500) : undefined
    const detail = [this.error, this.description].filter(part => part !== undefined).join(': ')
    const where = new URL(url)
    this.message = `OAuth2 token request to ${where.host}${where.pathname} failed with HTTP ${status}` +
      (detail === '' ? '' : `: ${detail}`)
  }
}

/** One attempt ran longer than its timeout (thrown once the retries are used up). */
export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError'
  constructor (readonly url: string, readonly timeoutMs: number) {
    super(`request to ${new URL(url).host}${new URL(url).pathname} timed out after ${timeoutMs} ms`)
  }
}

/** The vendor handed out a cursor, next link or page it had already handed out. */
export class PaginationLoopError extends Error {
  override name = 'PaginationLoopError'
}

/** Replaces every occurrence of `secret` in the strings of a parsed body. */
export function redact (value: unknown, secret: string): unknown {
  if (secret === '') return value
  if (typeof value === 'string') return value.replaceAll(secret, '[redacted]')
  if (Array.isArray(value)) return value.map(item => redact(item, secret))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, secret)]))
  }
  return value
}
