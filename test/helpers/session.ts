import type { FastifyInstance, InjectOptions, LightMyRequestResponse as InjectResponse } from 'fastify'
import { issueSignInLink } from '../../core/auth/sign-in-links.ts'

export interface SignInOptions {
  /** The workspace's slug; the Host header becomes `<slug>.localhost` unless `host` is given. */
  slug?: string
  host?: string
  workspaceId: string
  userId: string
}

export interface PostOptions {
  /** Send no CSRF token (to prove the check). */
  csrf?: boolean
  headers?: Record<string, string>
}

export interface TestSession {
  host: string
  /** The cookies the browser holds now, by name. */
  cookies: Map<string, string>
  get: (url: string, headers?: Record<string, string>) => Promise<InjectResponse>
  /** Posts a urlencoded form with a fresh CSRF token (read from a page, as a browser would). */
  post: (url: string, form: Record<string, string | string[]>, opts?: PostOptions) => Promise<InjectResponse>
  inject: (opts: InjectOptions) => Promise<InjectResponse>
  /** The `_csrf` value of the forms on the page at `url` (default: the overview, else the sign-in page). */
  csrfToken: (url?: string) => Promise<string>
}

/** A browser without JavaScript: a cookie jar, the workspace's Host header, form posts. */
export function browser (app: FastifyInstance, host: string): TestSession {
  const cookies = new Map<string, string>()

  const inject = async (opts: InjectOptions): Promise<InjectResponse> => {
    const cookieHeader = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const res = await app.inject({
      ...opts,
      headers: { host, ...(cookieHeader ? { cookie: cookieHeader } : {}), ...(opts.headers ?? {}) }
    })
    for (const c of res.cookies as Array<{ name: string, value: string, maxAge?: number, expires?: Date }>) {
      const expired = c.value === '' || (c.maxAge !== undefined && c.maxAge <= 0) || (c.expires !== undefined && c.expires.getTime() <= Date.now())
      if (expired) cookies.delete(c.name)
      else cookies.set(c.name, c.value)
    }
    return res
  }

  const csrfToken = async (url?: string): Promise<string> => {
    // Signed in, the overview has the sign-out form; signed out, it redirects and the sign-in form has one.
    for (const candidate of url ? [url] : ['/', '/sign-in']) {
      const page = await inject({ method: 'GET', url: candidate })
      const match = /name="_csrf" value="([^"]+)"/.exec(page.body)
      if (!match) continue
      if (!cookies.has('stocktake_csrf')) throw new Error('no stocktake_csrf cookie was set')
      return match[1]
    }
    throw new Error(`no CSRF token on ${url ?? '/ or /sign-in'}`)
  }

  return {
    host,
    cookies,
    inject,
    csrfToken,
    get: (url, headers) => inject({ method: 'GET', url, headers }),
    async post (url, form, opts = {}) {
      const body = new URLSearchParams()
      for (const [k, v] of Object.entries(form)) for (const item of [v].flat()) body.append(k, item)
      if (opts.csrf !== false) body.set('_csrf', await csrfToken())
      return inject({
        method: 'POST',
        url,
        payload: body.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(opts.headers ?? {}) }
      })
    }
  }
}

/** Signs a user in through a one-time link, as they would from the email; returns their browser. */
export async function signIn (app: FastifyInstance, opts: SignInOptions): Promise<TestSession> {
  const host = opts.host ?? `${opts.slug}.localhost`
  const session = browser(app, host)
  const token = await issueSignInLink(app.db, opts.workspaceId, opts.userId)
  const res = await session.get(`/sign-in/link/${token}`)
  if (res.statusCode !== 303 || !session.cookies.has('stocktake_session')) {
    throw new Error(`sign-in link failed: ${res.statusCode} ${res.body.slice(0, 200)}`)
  }
  return session
}

/** A form's answer when it is a redirect after POST (303): the page it leads to, as the browser opens it next. */
export async function followRedirect (session: TestSession, res: InjectResponse): Promise<InjectResponse> {
  if (res.statusCode !== 303 || !res.headers.location) throw new Error(`expected a 303 redirect, got ${res.statusCode}`)
  return await session.get(String(res.headers.location).split('#')[0])
}
