// Microsoft Graph, for every Microsoft plugin: its error body, its paging and what its throttling
// asks of a client.
//
// Throttling (https://learn.microsoft.com/graph/throttling): Graph answers 429 (and, when a
// service is overloaded, 503 or 504) with a Retry-After in seconds. ctx.http already does what
// Graph asks: it waits the Retry-After (or backs off exponentially when there is none), retries
// 429 and 5xx up to its limit, and ends the run with a retry time (RetryLaterError) when the wait
// is longer than it may sit out. So a Microsoft plugin writes no retry code. What is Graph's own:
// the limits are per app and tenant and differ per service (see that page's service-specific
// limits), so a plugin declares the service's rateLimit with a low concurrency (2) in its
// manifest, asks for the largest page ($top) instead of many small ones, and $selects only what
// it maps. Graph's 429 body ({ error: { code: 'TooManyRequests' } }) needs no rule: vendorFailures leaves 429 and 5xx as
// they are, transient, and the core names them ("Microsoft Intune is limiting requests").
import type { FailureRule, PaginationScheme, VendorError } from '../../../core/sdk.ts'

/** Graph's error body, { error: { code, message } }, for a vendorFailures declaration's `read`. */
export function graphError (body: Record<string, unknown>): VendorError {
  const error = typeof body.error === 'object' && body.error !== null ? body.error as Record<string, unknown> : {}
  return { code: error.code, message: error.message }
}

/** The detail of a Graph refusal in parentheses, " (Forbidden: …)", or nothing when Graph sent none. */
export const graphWhy = (detail: string): string => detail === '' ? '' : ` (${detail})`

/** Graph's 401 after ctx.http's one fresh token: the token is for another tenant or cloud. */
export function graphTokenRejected<About> (): FailureRule<About> {
  return {
    reason: 'auth',
    message: f => `Microsoft Graph rejected the app's access token${graphWhy(f.detail)}. Check that the app registration belongs to this tenant and cloud.`
  }
}

/**
 * Graph's paging: a collection's page is { value: [...], '@odata.nextLink': url } and the next page
 * is that URL, which carries the whole query (the $skiptoken included), until a page has none.
 */
export function graphPaging<T = unknown> (): PaginationScheme<T> {
  return {
    type: 'link',
    items: (body: { value?: unknown }) => Array.isArray(body?.value) ? body.value as T[] : [],
    next: (body: Record<string, unknown> | null) => typeof body?.['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : null
  }
}
