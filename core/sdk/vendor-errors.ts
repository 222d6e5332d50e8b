// A vendor's refusals as ConnectorErrors, declared instead of written: which of its error codes and
// HTTP statuses mean auth, permission, config or not found, how to read its own code and message
// from an error body, and the words the admin reads. The vendor's words are shortened and the
// plugin's secret settings redacted from them (the same values ctx.log redacts).
import { OAuth2TokenError } from '../integrations/http/errors.ts'
import { HttpStatusError, type HttpResponse } from '../integrations/http-types.ts'
import { redactorOf } from '../integrations/redacting-log.ts'
import { ConnectorError, type ConnectorContext, type FailureReason } from './contract.ts'

/** One refusal as the words of a rule see it. */
export interface VendorFailure<About = undefined> {
  /** The HTTP status of the vendor's answer. */
  status: number
  /** The URL that answered (a token request's: the token endpoint), secrets redacted. */
  url: string
  /** The vendor's own error code, as `read` found it (the first one when it sent several). */
  code?: string
  /** The vendor's own message: its first line, at most 300 characters. */
  message?: string
  /** "code: message" of every error the vendor sent ("; " between them, at most 300 characters), or ''. */
  detail: string
  /** What the caller passed to explain() (what was being read, for the words). */
  about: About
}

export type FailureWords<About> = string | ((failure: VendorFailure<About>) => string)

export interface FailureRule<About> {
  reason: FailureReason
  message: FailureWords<About>
}

/** The vendor's own code and message of one error in a body. */
export interface VendorError { code?: unknown, message?: unknown }

export interface FailureRules<About> {
  /** Reads the vendor's errors from an answer's body (an object; a text body is read as { message }). */
  read?: (body: Record<string, unknown>) => VendorError | VendorError[] | undefined
  /** What `codes` is looked up by, when it is not the code `read` finds (e.g. Microsoft's AADSTS number). */
  key?: (body: Record<string, unknown>) => string | number | null | undefined
  /** By the vendor's error code; looked up first. */
  codes?: Record<string, FailureRule<About>>
  /** By HTTP status. 429 and 5xx, unless named here, are left as they are (even with a listed code): transient, the run is retried. */
  statuses?: Record<number, FailureRule<About>>
  /** Every other refusal (a 4xx no rule names); without it such an error is left as it is. */
  otherwise?: FailureRule<About>
}

export interface VendorFailureDeclaration<About = undefined> {
  /** The token endpoint's refusals (ctx.http's OAuth2TokenError). `read` defaults to RFC 6749's { error, error_description }. */
  token?: FailureRules<About> & {
    /** The endpoint answered 2xx without an access token: a `network` failure in these words. */
    noToken?: FailureWords<About>
  }
  /** The API's refusals: an HttpStatusError thrown by ctx.http, or a response received with `expect`. */
  request?: FailureRules<About>
}

export interface VendorFailures<About> {
  /** The ConnectorError a thrown error means; anything no rule covers (network errors, 429, 5xx) is returned as it is. */
  explain: (ctx: Pick<ConnectorContext, 'log'>, err: unknown, about?: About) => unknown
  /** The same for a refusal received as a response (ctx.http's `expect`): an HttpStatusError when no rule covers it. */
  response: (ctx: Pick<ConnectorContext, 'log'>, res: HttpResponse, about?: About) => unknown
}

const LONGEST = 300

const fields = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {}

const words = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : typeof value === 'number' ? String(value) : undefined

/** The first line of a vendor's message: what follows is usually a trace or correlation ids. */
const firstLine = (text: string): string => text.split(/\r?\n/)[0].trim().slice(0, LONGEST)

/** RFC 6749 §5.2: { error, error_description }. */
export const oauthError = (body: Record<string, unknown>): VendorError => ({ code: body.error, message: body.error_description })

function vendorErrors (rules: FailureRules<unknown>, body: unknown, fallback?: (body: Record<string, unknown>) => VendorError): Array<{ code?: string, message?: string }> {
  const read = rules.read ?? fallback
  if (read === undefined) return []
  const found = read(typeof body === 'string' ? { message: body } : fields(body))
  const list = found === undefined ? [] : Array.isArray(found) ? found : [found]
  return list.map(e => {
    const text = words(e?.message)
    return { code: words(e?.code), message: text === undefined ? undefined : firstLine(text) }
  }).filter(e => e.code !== undefined || e.message !== undefined)
}

/** 429 and 5xx only when `statuses` names them; otherwise the vendor's code, then the status, then `otherwise`. */
function ruleFor<About> (rules: FailureRules<About>, status: number, key: string | undefined): FailureRule<About> | undefined {
  const byStatus = rules.statuses?.[status]
  if ((status === 429 || status >= 500) && byStatus === undefined) return undefined
  return (key === undefined ? undefined : rules.codes?.[key]) ?? byStatus ?? rules.otherwise
}

const say = <About>(message: FailureWords<About>, failure: VendorFailure<About>): string =>
  typeof message === 'string' ? message : message(failure)

/** Declares how a vendor's refusals read as ConnectorErrors (docs/writing-a-plugin.md, "Vendor failures"). */
export function vendorFailures<About = undefined> (declaration: VendorFailureDeclaration<About>): VendorFailures<About> {
  function explain (ctx: Pick<ConnectorContext, 'log'>, err: unknown, about?: About): unknown {
    if (!(err instanceof HttpStatusError)) return err
    const token = err instanceof OAuth2TokenError
    const rules = token ? declaration.token : declaration.request
    if (rules === undefined) return err
    const redact = redactorOf(ctx.log)
    const body = redact(err.body)
    const failure = (): VendorFailure<About> => {
      const errors = vendorErrors(rules as FailureRules<unknown>, body, token ? oauthError : undefined)
      const detail = errors.map(e => [e.code, e.message].filter(part => part !== undefined).join(': ')).join('; ').slice(0, LONGEST)
      return { status: err.status, url: redact(err.url) as string, code: errors[0]?.code, message: errors[0]?.message, detail, about: about as About }
    }
    if (token && err.status < 300) {
      const noToken = declaration.token?.noToken
      return noToken === undefined ? err : new ConnectorError('network', say(noToken, failure()))
    }
    const found = failure()
    const key = rules.key === undefined ? found.code : words(rules.key(fields(body)))
    const rule = ruleFor(rules, err.status, key)
    return rule === undefined ? err : new ConnectorError(rule.reason, say(rule.message, found))
  }

  return {
    explain,
    response: (ctx, res, about) => explain(ctx, new HttpStatusError(res.status, res.url, res.body), about)
  }
}
