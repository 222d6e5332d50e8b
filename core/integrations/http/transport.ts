// One attempt over undici: bounded by its timeout and the client's signal; reads and parses the body.
import { request as undiciRequest, type Dispatcher } from 'undici'
import type { HttpMethod, HttpResponse } from '../http-types.ts'
import { abortReason } from './abort.ts'
import { RequestTimeoutError } from './errors.ts'

/** A request ready to send: URL with its query, checked against allowedHosts. */
export interface Prepared {
  method: HttpMethod
  url: URL
  headers: Record<string, string>
  body: string | undefined
  timeoutMs: number
}

export type Attempt =
  | { response: HttpResponse, error?: undefined }
  | { response?: undefined, error: unknown, timedOut: boolean }

function flattenHeaders (headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

/** JSON for application/json and application/*+json, otherwise the text. */
export function parseBody (contentType: string | undefined, text: string): unknown {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase()
  if (type !== 'application/json' && !/^application\/[^/]+\+json$/.test(type)) return text
  if (text.trim() === '') return null
  try {
    return JSON.parse(text)
  } catch {
    return text // a vendor mislabelling its error page: keep the text rather than hide it
  }
}

/** Sends one attempt; never throws (the error comes back in the Attempt). */
export async function sendOnce (
  p: Prepared, headers: Record<string, string>, signal: AbortSignal | undefined, dispatcher: Dispatcher | undefined
): Promise<Attempt> {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new RequestTimeoutError(p.url.href, p.timeoutMs))
  }, p.timeoutMs)
  const onAbort = (): void => controller.abort(abortReason(signal as AbortSignal))
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const res = await undiciRequest(p.url, { method: p.method, headers, body: p.body, signal: controller.signal, dispatcher })
    const text = await res.body.text() // inside the timeout: a stalled body times out too
    const flat = flattenHeaders(res.headers)
    return { response: { status: res.statusCode, headers: flat, body: parseBody(flat['content-type'], text), url: p.url.href } }
  } catch (error) {
    return { error, timedOut: timedOut && signal?.aborted !== true }
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}
