import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ForbiddenError, SignInRequiredError } from '../auth/session.ts'
import { isDataException } from '../db/index.ts'
import { roleLabel } from './helpers.ts'

export function isHtmx (request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true'
}

/** Sends the browser to a URL: a redirect, or for htmx requests an HX-Redirect header. */
export function redirectPage (request: FastifyRequest, reply: FastifyReply, url: string) {
  if (isHtmx(request)) return reply.header('HX-Redirect', url).code(204).send()
  return reply.redirect(url, 303)
}

export interface ErrorPage {
  status: number
  title: string
  message: string
  /** A second paragraph, e.g. who is signed in. */
  detail?: string
  /** Offer "Sign in" instead of "Go to the overview" (expired session or link). */
  signIn?: boolean
}

/**
 * Renders an error in the layout. An htmx request gets only the error content, swapped into the
 * page's <main> (the layout's htmx config swaps 4xx/5xx answers), so a failed partial update
 * never lands inside a table row.
 */
export async function errorPage (request: FastifyRequest, reply: FastifyReply, page: ErrorPage) {
  reply.code(page.status)
  if (isHtmx(request)) {
    reply.header('HX-Retarget', '#main').header('HX-Reswap', 'innerHTML')
    return reply.view('pages/error', { ...page, fragment: true })
  }
  return reply.view('pages/error', page)
}

/** "Admin, IT admin or Super admin" */
function roleList (roles: readonly string[]): string {
  const labels = roles.map(roleLabel)
  return labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`
}

/** Errors on pages render as pages in the layout, never as JSON or a stack trace. */
export function installPageErrors (app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof SignInRequiredError) {
      if (request.method === 'GET') return redirectPage(request, reply, `/sign-in?next=${encodeURIComponent(request.url)}`)
      return errorPage(request, reply, { status: 401, title: 'Sign in required', message: 'Your session has ended. Sign in again and retry.', signIn: true })
    }
    if (error instanceof ForbiddenError) {
      const what = request.method === 'GET' ? 'This page' : 'This action'
      const needed = error.needed.length === 1 ? `the ${roleList(error.needed)} role` : `one of these roles: ${roleList(error.needed)}`
      return errorPage(request, reply, {
        status: 403,
        title: 'Not allowed',
        message: `${what} needs ${needed}.`,
        detail: request.user?.email ? `You are signed in as ${request.user.email} with the ${roleLabel(request.user.role)} role. Ask a super admin if you need more access.` : undefined
      })
    }
    if (error.code?.startsWith('FST_CSRF')) {
      return errorPage(request, reply, {
        status: 403, title: 'Form expired', message: 'This form was open too long or came from another site. Reload the page and try again.'
      })
    }
    if (isDataException(error)) {
      // A value the database refused that no check caught before: the input's fault, and a gap to close.
      request.log.warn({ err: error }, 'page request refused by the database (data exception)')
      return errorPage(request, reply, {
        status: 400,
        title: 'Request not accepted',
        message: 'Something you entered cannot be stored: a date, a number or a character (such as NUL) is out of range. Go back, check what you typed and try again.'
      })
    }
    const status = error.statusCode ?? 500
    if (status === 404) return errorPage(request, reply, { status, title: 'Not found', message: error.message || 'There is nothing at this address.' })
    if (status < 500) return errorPage(request, reply, { status, title: 'Request not accepted', message: error.message })
    request.log.error({ err: error }, 'page failed')
    return errorPage(request, reply, { status: 500, title: 'Something went wrong', message: 'The error has been logged. Try again in a moment.' })
  })
  app.setNotFoundHandler(async (request, reply) => errorPage(request, reply, { status: 404, title: 'Not found', message: 'There is nothing at this address.' }))
}
