import type { FastifyHelmetOptions } from '@fastify/helmet'

/**
 * The pages' security headers (@fastify/helmet). The Content-Security-Policy allows scripts and
 * styles only as files of the site: no inline <script>, no event-handler attributes, no eval (htmx
 * runs with allowEval off and without its indicator <style>; views/public/stocktake.js does what
 * hx-on attributes did), no style= attributes. No page may be framed. No Referer is sent: a
 * sign-in link's URL carries its token, and nothing in Stocktake reads the Referer. Without HTTPS
 * there is no HSTS and no upgrade-insecure-requests (a plain-HTTP install must load its own files).
 */
export function pageSecurityHeaders (secure: boolean): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"]
      }
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: secure ? { maxAge: 31_536_000, includeSubDomains: true } : false
  }
}

/**
 * The API's: JSON loads nothing and is never framed. Swagger UI (/api/docs) sets its own policy,
 * which allows its inline scripts by hash.
 */
export const apiSecurityHeaders: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' }
}
