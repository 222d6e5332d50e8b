import t, { type Test } from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { members } from './helpers/members.ts'
import { browser } from './helpers/session.ts'
import { setPassword } from '../core/auth/set-password.ts'
import { workspaceUrl } from '../core/config.ts'

// Where sign-in sends the browser afterwards (`next`): only a path of this workspace, written so
// that a browser cannot read it as another host, on every route that takes it.

const { app, workspace, config } = await buildTestApp(t)
const acme = await workspace('acme')
const origin = workspaceUrl(config, 'acme')
const { add, as } = members(app, acme)
const admin = await add('super-admin', 'ada@acme.test')
const PASSWORD = 'correct horse battery staple'
await setPassword(app, 'acme', admin.email, PASSWORD)

const HOSTILE = [
  '//evil.example/x',
  '///evil.example/x',
  '/\\evil.example/x',
  '\\\\evil.example/x',
  '/\\/evil.example/x',
  '/\t/evil.example/x',
  '/%09/evil.example/x',
  '/\n/evil.example/x',
  '/\r\n/evil.example/x',
  ' //evil.example/x',
  '\t//evil.example/x',
  '/.//evil.example/x',
  '/..//evil.example/x',
  '/%2e%2e//evil.example/x',
  '/%2E//evil.example/x',
  'https://evil.example/x',
  'https:/\\evil.example/x',
  'HTTPS://evil.example',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '/sign-in',
  '/sign-in/link/abc',
  ''
]

/**
 * What a browser does with a Location header: must stay on the workspace's origin. Besides, the
 * value must be plain: a path starting with one slash, no backslash, no control character.
 */
function checkLocation (t: Test, location: string | undefined, value: string, where: string) {
  t.type(location, 'string', `${where}: a location for ${JSON.stringify(value)}`)
  if (typeof location !== 'string') return
  const lands = new URL(location, origin)
  t.equal(lands.origin, origin, `${where}: ${JSON.stringify(value)} → ${JSON.stringify(location)} stays on the workspace`)
  const plain = /^\/(?![/\\])/.test(location) && ![...location].some(c => c === '\\' || c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f)
  t.ok(plain, `${where}: ${JSON.stringify(location)} is a plain path`)
  t.notOk(lands.pathname.startsWith('/sign-in'), `${where}: never back to sign-in`)
}

t.test('a hostile next sends the browser home on every route that takes it', async t => {
  const signedIn = await as(admin)
  for (const value of HOSTILE) {
    const query = `/sign-in?next=${encodeURIComponent(value)}`
    const again = await signedIn.get(query)
    t.equal(again.statusCode, 303, `GET ${JSON.stringify(value)} signed in`)
    checkLocation(t, again.headers.location as string, value, 'GET /sign-in (signed in)')

    const form = await browser(app, 'acme.localhost').get(query)
    t.equal(form.statusCode, 200)
    const hidden = /<input type="hidden" name="next" value="([^"]*)">/.exec(form.body)?.[1]
    checkLocation(t, hidden?.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'), value, 'GET /sign-in (the form\'s next)')

    for (const htmx of [false, true]) {
      const b = browser(app, 'acme.localhost')
      const res = await b.post('/sign-in', { email: admin.email, password: PASSWORD, next: value }, htmx ? { headers: { 'hx-request': 'true' } } : {})
      t.equal(res.statusCode, htmx ? 204 : 303, `POST ${JSON.stringify(value)}${htmx ? ' (htmx)' : ''}`)
      checkLocation(t, (htmx ? res.headers['hx-redirect'] : res.headers.location) as string, value, `POST /sign-in${htmx ? ' (htmx)' : ''}`)
    }
  }
})

t.test('a path of the workspace is kept as it was asked for', async t => {
  const signedIn = await as(admin)
  for (const [value, expected] of [
    ['/hardware?status=assigned&sort=name#list', '/hardware?status=assigned&sort=name#list'],
    ['/people/3f1e6a52-9c1e-4d55-8a43-7f0b7f3c1d11/edit', '/people/3f1e6a52-9c1e-4d55-8a43-7f0b7f3c1d11/edit'],
    ['/audit?action=auth.sign_in', '/audit?action=auth.sign_in'],
    [`${origin}/software`, '/software'],
    ['/search?q=a%2Fb', '/search?q=a%2Fb']
  ]) {
    t.equal((await signedIn.get(`/sign-in?next=${encodeURIComponent(value)}`)).headers.location, expected, `GET keeps ${value}`)
    const res = await browser(app, 'acme.localhost').post('/sign-in', { email: admin.email, password: PASSWORD, next: value })
    t.equal(res.headers.location, expected, `POST keeps ${value}`)
  }
  const link = await browser(app, 'acme.localhost').get('/settings?tab=x')
  t.equal(link.headers.location, '/sign-in?next=%2Fsettings%3Ftab%3Dx', 'a page asks for sign-in with itself as next')
})
