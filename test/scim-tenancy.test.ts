import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { GROUP, PATCH_OP, USER, scimClient } from './helpers/scim.ts'

// Every /scim/v2 route that takes a user or group id, in every spelling it is mounted under, with
// another workspace's token: 404, and the record untouched.

const { app, workspace } = await buildTestApp(t)
const alpha = await scimClient(app, (await workspace('alpha')).id)
const bravo = await scimClient(app, (await workspace('bravo')).id)
const user = await bravo.ok('POST', '/Users', { schemas: [USER], userName: 'kept@bravo.test', title: 'Kept' })
const group = await bravo.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Kept', members: [{ value: user.id }] })
const BODIES: Record<string, unknown> = {
  PUT: { schemas: [USER, GROUP], userName: 'taken@alpha.test', displayName: 'Taken' },
  PATCH: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false, displayName: 'Taken' } }] }
}

t.test('another workspace\'s users and groups are 404 on every route, and unchanged', async t => {
  const routes = app.routeList.filter(r => /^\/scim\/v2\/(users|groups)\/:id\/?$/i.test(r.url))
  t.equal(routes.length, 2 * 4 * 4, 'Users and Groups × GET, PUT, PATCH, DELETE × four spellings')
  for (const route of routes) {
    const id = /users/i.test(route.url) ? user.id : group.id
    const res = await alpha.call(route.method, route.url.replace('/scim/v2', '').replace(':id', id), BODIES[route.method])
    t.equal(res.statusCode, 404, `${route.method} ${route.url} with bravo's id on alpha's token`)
  }
  t.match(await bravo.ok('GET', `/Users/${user.id}`), { title: 'Kept', active: true, meta: { version: 'W/"1"' } })
  t.match(await bravo.ok('GET', `/Groups/${group.id}`), { displayName: 'Kept', members: [{ value: user.id }], meta: { version: 'W/"1"' } })
})
