// The browser binding: a random value in an httpOnly, SameSite=Lax cookie scoped to the SSO paths.
// An attempt keeps its SHA-256; the answer is accepted only in the browser that holds the value,
// so a callback URL (or a SAML response) carried to another browser signs nobody in there.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { newToken, tokenHash } from './attempts.ts'
import { SSO_BASE } from './paths.ts'

export const BINDING_COOKIE = 'stocktake_sso'
/** Set by a SAML POST answer that no attempt asked for (IdP-initiated), read by its continuation. */
export const UNSOLICITED_BINDING_COOKIE = 'stocktake_sso_unsolicited'
const TOKEN = /^[A-Za-z0-9_-]{43}$/

const cookieOptions = (secure: boolean, minutes: number) => ({ path: SSO_BASE, httpOnly: true, sameSite: 'lax' as const, secure, maxAge: minutes * 60 })

/** The hash of this browser's binding, set now when it has none (kept across tabs: several attempts share it). */
export function bindBrowser (request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const current = request.cookies[BINDING_COOKIE]
  const value = current !== undefined && TOKEN.test(current) ? current : newToken()
  reply.setCookie(BINDING_COOKIE, value, cookieOptions(secure, 30))
  return tokenHash(value)
}

/** A fresh binding under its own name (the SAML POST response can set it; the continuation reads it). */
export function bindUnsolicited (reply: FastifyReply, secure: boolean): string {
  const value = newToken()
  reply.setCookie(UNSOLICITED_BINDING_COOKIE, value, cookieOptions(secure, 5))
  return tokenHash(value)
}

/** Whether the request's cookie (by name) is the one whose hash was kept. */
export function holdsBinding (request: FastifyRequest, cookie: string, hash: string): boolean {
  const value = request.cookies[cookie]
  return value !== undefined && TOKEN.test(value) && tokenHash(value) === hash
}
