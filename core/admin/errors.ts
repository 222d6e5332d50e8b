import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ForbiddenError, SignInRequiredError } from '../auth/session.ts'

function isHtmx (request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true'
}

/** Sends the browser to a URL: a redirect, or for htmx requests an HX-Redirect header. */
export function redirectPage (request: FastifyRequest, reply: FastifyReply, url: string) {
  if (isHtmx(request)) return reply.header('HX-Redirect', url).code(204).send()
  return reply.redirect(url, 303)
}

async function errorPage (reply: FastifyReply, status: number, title: string, message: string) {
  return reply.code(status).view('pages/error', { title, status, message })
}

/** Errors on pages render as pages in the layout, never as JSON or a stack trace. */
export function installPageErrors (app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof SignInRequiredError) {
      if (request.method === 'GET') return redirectPage(request, reply, `/sign-in?next=${encodeURIComponent(request.url)}`)
      return errorPage(reply, 401, 'Sign in required', 'Your session has ended. Sign in again and retry.')
    }
    if (error instanceof ForbiddenError) return errorPage(reply, 403, 'Not allowed', error.message)
    if (error.code?.startsWith('FST_CSRF')) {
      return errorPage(reply, 403, 'Form expired', 'This form was open too long or came from another site. Reload the page and try again.')
    }
    const status = error.statusCode ?? 500
    if (status === 404) return errorPage(reply, 404, 'Not found', error.message || 'There is nothing at this address.')
    if (status < 500) return errorPage(reply, status, 'Request not accepted', error.message)
    request.log.error({ err: error }, 'page failed')
    return errorPage(reply, 500, 'Something went wrong', 'The error has been logged. Try again in a moment.')
  })
  app.setNotFoundHandler(async (_request, reply) => errorPage(reply, 404, 'Not found', 'There is nothing at this address.'))
}
