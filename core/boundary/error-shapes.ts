import { STATUS_CODES, maxHeaderSize } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** How one part of the site writes an error: its content type, and its body for a status and a sentence. */
export interface ErrorShape {
  contentType: string
  body: (status: number, detail: string) => string
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)

/** The pages' shape outside the layout (no workspace is known yet): a small page of its own. */
export const HTML_ERROR: ErrorShape = {
  contentType: 'text/html; charset=utf-8',
  body: (status, detail) => {
    const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`
    return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p></body></html>\n`
  }
}

/**
 * The error shape of each part of the site by path prefix (/api: problem+json, /scim/v2: SCIM
 * errors, anything else: HTML), for the answers written before a request reaches any context:
 * Node's parser refusing the request (431, 400) and Fastify's router refusing its URL.
 */
export class ErrorShapes {
  private readonly prefixes: Array<{ prefix: string, shape: ErrorShape }> = []

  constructor (private readonly fallback: ErrorShape = HTML_ERROR) {}

  /** Requests at `prefix` (e.g. /api) and below are answered in `shape`. */
  add (prefix: string, shape: ErrorShape): void {
    this.prefixes.push({ prefix: prefix.replace(/\/+$/, ''), shape })
    this.prefixes.sort((a, b) => b.prefix.length - a.prefix.length)
  }

  of (path: string | undefined): ErrorShape {
    if (path === undefined) return this.fallback
    const found = this.prefixes.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`))
    return found?.shape ?? this.fallback
  }
}

const DETAILS: Record<number, string> = {
  400: 'The request could not be read: its request line or a header is malformed.',
  408: 'The request took too long to arrive.',
  414: 'The address is too long.',
  431: `The request's header fields are too large: at most ${Math.floor(maxHeaderSize / 1024)} KB in all (a cookie or a token may have grown too big).`
}

/** The path of the request line at the start of what the parser refused (`GET /api/x HTTP/1.1`), when it is there. */
function requestPath (raw: unknown): string | undefined {
  if (!Buffer.isBuffer(raw)) return undefined
  const line = /^[A-Z]{3,10} (\S+)/.exec(raw.subarray(0, 8192).toString('latin1'))?.[1]
  if (!line) return undefined
  if (line.startsWith('/')) return line
  try { return new URL(line).pathname } catch { return undefined }
}

/**
 * Fastify's clientErrorHandler: Node's HTTP parser refused the request before Fastify saw it
 * (header fields over maxHeaderSize: 431; a malformed request line or header: 400). The answer is
 * written in the shape of the path the request line names, when the refused packet holds it.
 */
export function clientErrorHandler (shapes: ErrorShapes) {
  return function (this: FastifyInstance, err: Error & { code?: string, rawPacket?: unknown }, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
    const path = requestPath(err.rawPacket)
    this.log.debug({ err, status, path }, 'client error: the request could not be parsed')
    if (!socket.writable) {
      socket.destroy()
      return
    }
    const shape = shapes.of(path)
    const body = shape.body(status, DETAILS[status])
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: ${shape.contentType}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, () => socket.destroy())
  }
}

/** Fastify's frameworkErrors: its router refused the URL (malformed percent-encoding, a parameter too long). */
export function frameworkErrors (shapes: ErrorShapes) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400
    const detail = error.code === 'FST_ERR_BAD_URL' ? 'The address is not valid: it has a malformed percent-encoding.' : DETAILS[status] ?? error.message
    const shape = shapes.of(request.url.split('?')[0])
    reply.code(status).type(shape.contentType).send(shape.body(status, detail))
  }
}
