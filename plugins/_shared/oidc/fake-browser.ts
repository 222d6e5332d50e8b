// The person's browser for the sign-in fakes and tests: a cookie jar, and following a provider's
// redirects from its authorization URL back to the callback.
import { request as undiciRequest, type Dispatcher } from 'undici'

/** Cookies by name, as a browser keeps them for one site (paths and expiry dates aside, removal kept). */
export function cookieJar () {
  const jar = new Map<string, string>()
  return {
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    take (setCookie: string | string[] | undefined) {
      for (const line of [setCookie ?? []].flat()) {
        const [pair] = line.split(';')
        const at = pair.indexOf('=')
        const value = pair.slice(at + 1).trim()
        if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(pair.slice(0, at).trim())
        else jar.set(pair.slice(0, at).trim(), value)
      }
    }
  }
}

/**
 * A browser at an identity provider: follows its redirects from `from`, keeping its cookies, until
 * `arrived` says the browser has left it (sent back to Stocktake); returns that address. `headers`
 * go with every request (a proxy's x-forwarded-proto).
 */
export async function followRedirects (dispatcher: Dispatcher, from: string, arrived: (at: URL) => boolean, headers: Record<string, string> = {}): Promise<URL> {
  const jar = cookieJar()
  let at = new URL(from)
  for (let hop = 0; hop < 10; hop++) {
    if (arrived(at)) return at
    const res = await undiciRequest(at.href, { dispatcher, headers: { ...headers, cookie: jar.header() } })
    jar.take(res.headers['set-cookie'])
    const location = res.headers.location
    const body = await res.body.text()
    if (typeof location !== 'string') throw new Error(`the provider answered ${res.statusCode} without a redirect: ${body.slice(0, 300)}`)
    at = new URL(location, at)
  }
  throw new Error('too many redirects at the provider')
}

/**
 * The person's browser at the provider: from the authorization URL (the person signs in and
 * consents through the interaction API) until the provider sends the browser to `callbackUrl`;
 * returns that address's query, as the core's callback route reads it.
 */
export async function playBrowser (peer: { dispatcher: Dispatcher }, authorizationUrl: string, callbackUrl: string): Promise<Record<string, string>> {
  const back = await followRedirects(peer.dispatcher, authorizationUrl, at => at.href.startsWith(`${callbackUrl}?`))
  return Object.fromEntries(back.searchParams)
}
