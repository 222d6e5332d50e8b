// Paging helpers for a fake: opaque cursors that only this fake accepts, a slice of a large
// collection built on demand, and the URL of the next page on the host the connector called.
import { randomBytes } from 'node:crypto'
import type { FakeRequest } from './fake-vendor.ts'

export interface Cursors {
  /** An opaque token for the position `offset`. */
  encode: (offset: number) => string
  /** The position of a token this fake issued; null for a forged one or one of another fake. */
  decode: (token: string) => number | null
}

export function opaqueCursors (): Cursors {
  const salt = randomBytes(6).toString('hex')
  return {
    encode: offset => Buffer.from(`${salt}:${offset}`).toString('base64url'),
    decode: token => {
      const [tokenSalt, offset] = Buffer.from(token, 'base64url').toString().split(':')
      return tokenSalt === salt && /^\d+$/.test(offset ?? '') ? Number(offset) : null
    }
  }
}

/** Items start … start+size-1 of a collection of `total`, each built by `at` only when asked for. */
export function pageOf<T> (total: number, start: number, size: number, at: (i: number) => T): T[] {
  const items: T[] = []
  for (let i = start; i < Math.min(start + size, total); i++) items.push(at(i))
  return items
}

/**
 * `path?query` on the host the connector called (https, or http for a loopback host), as a vendor
 * writes its next-page links. `$` and `,` are left as they are, as OData writes them.
 */
export function linkOnCalledHost (req: FakeRequest, path: string, query: URLSearchParams): string {
  const scheme = /^(127\.|localhost|\[::1\])/.test(req.host) ? 'http' : 'https'
  return `${scheme}://${req.host}${path}?${query.toString().replaceAll('%24', '$').replaceAll('%2C', ',')}`
}

/** An RFC 8288 Link header with a rel="next" link. */
export const nextLinkHeader = (url: string): Record<string, string> => ({ link: `<${url}>; rel="next"` })
