import t, { type Test } from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { members } from './helpers/members.ts'
import { apiClient } from './helpers/api.ts'

// Security headers (@fastify/helmet): pages get a Content-Security-Policy without inline or eval'd
// script or style, may not be framed, are not sniffed and send no Referer (sign-in link URLs carry
// a token). The API's JSON loads nothing; Swagger UI keeps its own policy on /api/docs.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const { add, as } = members(app, acme)
const admin = await as(await add('super-admin', 'ada@acme.test'))

/** The policy's directives by name. */
function directives (header: unknown): Map<string, string[]> {
  const policy = new Map<string, string[]>()
  for (const part of String(header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/)
    if (name) policy.set(name.toLowerCase(), values)
  }
  return policy
}

function checkPage (t: Test, res: { headers: Record<string, unknown> }, what: string) {
  const csp = directives(res.headers['content-security-policy'])
  t.ok(csp.size > 0, `${what}: a Content-Security-Policy`)
  const scripts = csp.get('script-src') ?? csp.get('default-src') ?? []
  const styles = csp.get('style-src') ?? csp.get('default-src') ?? []
  t.same(scripts, ["'self'"], `${what}: scripts only from the site (no inline, no eval)`)
  t.same(styles, ["'self'"], `${what}: styles only from the site (no inline <style> or style=)`)
  t.same(csp.get('script-src-attr'), ["'none'"], `${what}: no inline event handlers`)
  t.same(csp.get('frame-ancestors'), ["'none'"], `${what}: never framed`)
  t.same(csp.get('object-src'), ["'none'"])
  t.same(csp.get('base-uri'), ["'none'"])
  t.same(csp.get('form-action'), ["'self'"], `${what}: forms post only to the site`)
  t.notOk(csp.has('upgrade-insecure-requests'), `${what}: plain-HTTP installs keep loading their own assets`)
  t.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`)
  t.equal(res.headers['referrer-policy'], 'no-referrer', `${what}: no Referer`)
  t.equal(res.headers['x-frame-options'], 'DENY', `${what}: X-Frame-Options for old browsers`)
}

t.test('every kind of page carries the headers', async t => {
  const anonymous = { host: 'acme.localhost' }
  checkPage(t, await app.inject({ url: '/sign-in', headers: anonymous }), 'sign-in')
  checkPage(t, await app.inject({ url: '/sign-in/link/not-a-token', headers: anonymous }), 'an expired link')
  checkPage(t, await app.inject({ url: '/', headers: anonymous }), 'a redirect to sign-in')
  checkPage(t, await admin.get('/'), 'the overview')
  checkPage(t, await admin.get('/hardware'), 'a list')
  checkPage(t, await admin.get('/hardware?q=x', { 'hx-request': 'true' }), 'an htmx fragment')
  checkPage(t, await admin.get('/settings/scim'), 'Settings → SCIM')
  checkPage(t, await admin.get('/nowhere'), 'a 404 page')
  checkPage(t, await admin.post('/sign-out', {}, { csrf: false }), 'a refused form')
  checkPage(t, await app.inject({ url: '/assets/stocktake.css', headers: anonymous }), 'the stylesheet')
  checkPage(t, await app.inject({ url: '/vendor/htmx/htmx.min.js', headers: anonymous }), 'htmx')
})

t.test('the API: nosniff and no framing on JSON; Swagger UI keeps a policy it works under', async t => {
  const api = await apiClient(app, acme.id)
  const list = await api.call('GET', '/api/hardware')
  t.equal(list.statusCode, 200)
  t.equal(list.headers['x-content-type-options'], 'nosniff')
  t.same(directives(list.headers['content-security-policy']).get('frame-ancestors'), ["'none'"])
  t.same(directives(list.headers['content-security-policy']).get('default-src'), ["'none'"], 'JSON loads nothing')
  const problem = await app.inject({ url: '/api/hardware' })
  t.equal(problem.statusCode, 401)
  t.equal(problem.headers['x-content-type-options'], 'nosniff', 'errors too')

  const docs = await app.inject({ url: '/api/docs' })
  t.equal(docs.statusCode, 200)
  t.match(docs.body, 'swagger-ui')
  const csp = directives(docs.headers['content-security-policy'])
  t.same(csp.get('default-src'), ["'self'"], "Swagger UI's own policy: it loads its files")
  t.notOk([...csp.values()].flat().some(v => /unsafe/.test(v)), 'nothing unsafe in it')
  t.equal(docs.headers['x-content-type-options'], 'nosniff')
})
