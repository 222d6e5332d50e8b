import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn, browser } from './helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'
import { issueSignInLink } from '../core/auth/sign-in-links.ts'
import type { FastifyInstance } from 'fastify'

/** Routes whose parameter is not a record id, each with the test that covers it instead. */
const NOT_RECORD_IDS: Record<string, string> = {
  '/sign-in/link/:token': 'a one-time token: covered below (another workspace\'s link is refused)'
}

/** A plausible form for any page post, so a route reaches its lookup rather than stopping at validation. */
const PLAUSIBLE_FORM = { role: 'employee', name: 'Renamed', reason: 'Not needed', note: 'n', email: 'x@example.com' }

async function seedWorkspace (app: FastifyInstance, slug: string) {
  const { workspace } = await import('../core/tenancy/index.ts').then(m => m.ensureWorkspace(app.db, slug))
  const r = app.registry
  const admin = await r.people.create(workspace.id, systemActor, { email: `admin@${slug}.test`, role: 'super-admin' })
  const person = await r.people.create(workspace.id, systemActor, { email: `pat@${slug}.test`, first_name: 'Pat' })
  const hardware = await r.hardware.create(workspace.id, systemActor, { serial: `${slug}-SN1`, name: 'Laptop' })
  await r.hardware.assign(workspace.id, systemActor, hardware.id, person.id)
  const software = await r.software.create(workspace.id, systemActor, { name: 'Figma', seats_purchased: 5 })
  const seat = await r.software.assignSeat(workspace.id, systemActor, software.id, { userId: person.id })
  const request = await r.requests.create(workspace.id, systemActor, { requester_id: person.id, category: 'laptop', description: 'New laptop' })
  const [audit] = await app.db('audit_log').where({ workspace_id: workspace.id }).select('id').limit(1)
  return { workspace, admin, ids: [admin.id, person.id, hardware.id, software.id, seat.id, request.id, String(audit.id)] }
}

t.test('every route that takes an id answers 404 for another workspace\'s ids', async t => {
  const { app } = await buildTestApp(t)
  const a = await seedWorkspace(app, 'alpha')
  const b = await seedWorkspace(app, 'bravo')
  const session = await signIn(app, { slug: 'alpha', workspaceId: a.workspace.id, userId: a.admin.id })

  // The API and SCIM take their workspace from a token, not the host: test/api-matrix.test.ts and
  // test/scim-tenancy.test.ts send every /api and /scim/v2 route another workspace's token and ids.
  const idRoutes = app.routeList.filter(r => /:\w+/.test(r.url) && !(r.url in NOT_RECORD_IDS) && !r.url.startsWith('/api/') && !r.url.startsWith('/scim/'))
  t.ok(idRoutes.length > 0, `routes taking ids: ${idRoutes.map(r => `${r.method} ${r.url}`).join(', ')}`)
  for (const route of idRoutes) {
    for (const id of b.ids) {
      const url = route.url.replace(/:\w+/g, id)
      const res = route.method === 'GET'
        ? await session.get(url)
        : await session.post(url, PLAUSIBLE_FORM)
      t.equal(res.statusCode, 404, `${route.method} ${url} (bravo's id on alpha) is 404`)
    }
  }
  // Nothing of bravo's changed.
  const bravoAdmin = await app.registry.people.get(b.workspace.id, b.admin.id)
  t.equal(bravoAdmin.role, 'super-admin')
})

t.test('a session and a sign-in link work only in their own workspace', async t => {
  const { app } = await buildTestApp(t)
  const a = await seedWorkspace(app, 'alpha')
  const b = await seedWorkspace(app, 'bravo')
  const alpha = await signIn(app, { slug: 'alpha', workspaceId: a.workspace.id, userId: a.admin.id })

  // Alpha's cookies presented at bravo's host carry no session there.
  const elsewhere = browser(app, 'bravo.localhost')
  for (const [name, value] of alpha.cookies) elsewhere.cookies.set(name, value)
  const res = await elsewhere.get('/audit')
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/sign-in?next=%2Faudit')

  // Bravo's link used at alpha's host does not sign anyone in, and stays unused for bravo.
  const token = await issueSignInLink(app.db, b.workspace.id, b.admin.id)
  const wrongHost = browser(app, 'alpha.localhost')
  t.equal((await wrongHost.get(`/sign-in/link/${token}`)).statusCode, 410)
  t.notOk(wrongHost.cookies.has('stocktake_session'))
  const rightHost = browser(app, 'bravo.localhost')
  t.equal((await rightHost.get(`/sign-in/link/${token}`)).statusCode, 303)

  // An unknown workspace host is a 404 page, not another tenant.
  const nowhere = await browser(app, 'charlie.localhost').get('/sign-in')
  t.equal(nowhere.statusCode, 404)
})

t.test('the bare host serves the workspace only while it is the only one', async t => {
  const { app } = await buildTestApp(t)
  await seedWorkspace(app, 'alpha')
  const one = await browser(app, 'localhost').get('/sign-in')
  t.equal(one.statusCode, 200)
  t.match(one.body, /Sign in to Alpha/)
  await seedWorkspace(app, 'bravo')
  t.equal((await browser(app, 'localhost').get('/sign-in')).statusCode, 404)
})
