import type { FastifyInstance, HTTPMethods, RouteHandlerMethod } from 'fastify'

/**
 * Resource segments match in any case (the Microsoft collection asks for /users) and with a
 * trailing slash (it asks for /Users/?filter=…): a route is registered as written, lower-cased,
 * and each with a trailing slash. Parameter names are lower case.
 */
export function route (app: FastifyInstance, method: HTTPMethods, path: string, handler: RouteHandlerMethod): void {
  const paths = new Set([path, path.toLowerCase()])
  for (const url of [...paths].flatMap(p => [p, `${p}/`])) app.route({ method, url, handler })
}
