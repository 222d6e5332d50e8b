import fp from 'fastify-plugin'
import view from '@fastify/view'
import fastifyStatic from '@fastify/static'
import handlebars from 'handlebars'
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { registerHelpers } from './helpers.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The handlebars environment of the views, with their helpers (plugin page templates render in it). */
    viewEngine: typeof handlebars
  }
  interface FastifyReply {
    /** Data every view of this request gets (layout context, flash); @fastify/view merges it in. */
    locals: Record<string, unknown>
  }
}

export const viewsDir = fileURLToPath(new URL('../../views/', import.meta.url))
const require = createRequire(import.meta.url)
const htmxDir = path.dirname(require.resolve('htmx.org/dist/htmx.min.js'))

/** Every partial below `dir`, named by its path without the extension: `audit-rows`, `requests/rows`. */
function partialsIn (dir: string): Record<string, string> {
  const partials: Record<string, string> = {}
  for (const file of fs.readdirSync(path.join(viewsDir, dir), { recursive: true, encoding: 'utf8' })) {
    const name = file.split(path.sep).join('/')
    if (name.endsWith('.hbs')) partials[name.slice(0, -4)] = `${dir}/${name}`
  }
  return partials
}

/** Handlebars views in one layout, the stylesheet, and htmx served from its npm package. */
export default fp(async (app) => {
  const engine = handlebars.create()
  registerHelpers(engine)
  app.decorate('viewEngine', engine)
  await app.register(view, {
    engine: { handlebars: engine },
    root: viewsDir,
    layout: 'layout.hbs',
    viewExt: 'hbs',
    options: { partials: partialsIn('partials') },
    defaultContext: { productName: 'Stocktake' }
  })
  await app.register(fastifyStatic, { root: path.join(viewsDir, 'public'), prefix: '/assets/', decorateReply: false })
  // Browsers ask for /favicon.ico where a page (an error, a JSON answer) names no icon.
  app.get('/favicon.ico', (request, reply) => reply.redirect('/assets/favicon.svg', 301))
  await app.register(fastifyStatic, { root: htmxDir, prefix: '/vendor/htmx/', decorateReply: false, allowedPath: p => p === '/htmx.min.js' })
}, { name: 'views' })
