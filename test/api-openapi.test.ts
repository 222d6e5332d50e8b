import t from 'tap'
import { Validator } from '@seriousme/openapi-schema-validator'
import { buildTestApp } from './helpers/app.ts'

const { app } = await buildTestApp(t)

t.test('the OpenAPI 3.1 document is valid and describes every API route', async t => {
  const res = await app.inject({ url: '/api/docs/json' })
  t.equal(res.statusCode, 200)
  const doc = JSON.parse(res.body)
  t.equal(doc.openapi, '3.1.0')
  const result = await new Validator().validate(doc)
  t.ok(result.valid, `valid OpenAPI: ${JSON.stringify(result.errors ?? null).slice(0, 2000)}`)
  t.same(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', description: String(doc.components.securitySchemes.bearer.description) })

  const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, ops]) => Object.keys(ops).map(method => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
  const routes = app.routeList.filter(r => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs')).map(r => `${r.method} ${r.url}`)
  t.same(routes.filter(r => !documented.includes(r)), [], 'every route is in the document')

  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { security?: unknown, responses: Record<string, unknown>, description?: string }>>)) {
    for (const [method, op] of Object.entries(ops)) {
      t.same(op.security, [{ bearer: [] }], `${method} ${path} needs a bearer token`)
      t.ok(op.responses['4XX'], `${method} ${path} documents its problem responses`)
      t.match(op.description, /Needs the `[a-z]+:(read|write|manage)`/, `${method} ${path} names its abilities`)
    }
  }
  t.ok(doc.components.schemas.Hardware && doc.components.schemas.Problem, 'shared schemas are components')
  const createHardware = doc.paths['/api/hardware'].post.requestBody.content['application/json'].schema
  t.same(createHardware.required, ['serial', 'name'])
  t.equal(createHardware.additionalProperties, false)
})

t.test('Swagger UI is served at /api/docs without a token', async t => {
  const res = await app.inject({ url: '/api/docs' })
  t.equal(res.statusCode, 200)
  t.match(res.body, /<title>Swagger UI<\/title>/)
  t.equal((await app.inject({ url: '/api/docs/static/swagger-initializer.js' })).statusCode, 200)
})
