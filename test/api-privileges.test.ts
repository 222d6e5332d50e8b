import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { members } from './helpers/members.ts'
import { followRedirect } from './helpers/session.ts'
import { isProblem } from './helpers/api.ts'

// Whoever mints a credential grants at most their own powers: an API token minted by an IT admin
// (the least of the roles that may mint one), with every ability, does only what an IT admin does
// on the pages. What only a super admin may do — roles, workspace settings, SCIM tokens and group
// mappings — and minting any credential have no API route at all.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const { add, as } = members(app, acme)
const owner = await add('super-admin', 'sam@acme.test')
const itAdmin = await add('it-admin', 'ivy@acme.test')

const minter = await as(itAdmin)
const minted = await followRedirect(minter, await minter.post('/settings/api/tokens', { name: 'Everything' }))
const secret = /stk_[0-9A-Za-z]{43}/.exec(minted.body)![0]
const call = async (method: string, url: string, payload?: object) =>
  await app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${secret}` }, ...(payload ? { payload } : {}) })

t.test('no API route mints a credential, gives a role or changes workspace settings', async t => {
  const api = app.routeList.filter(r => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'))
  t.ok(api.length > 30, `${api.length} API routes`)
  const powers = /token|scim|role|setting|workspace|password|sign-in|session|group|member|integration/i
  t.same(api.filter(r => powers.test(r.url)).map(r => `${r.method} ${r.url}`), [], 'none of them')
  t.equal((await app.db('api_tokens').where({ workspace_id: acme.id, name: 'Everything' }).first()).created_by, itAdmin.id, 'the token records who minted it')
})

t.test('the token cannot promote its minter or anyone else, nor take the workspace from its super admin', async t => {
  isProblem(t, await call('PATCH', `/api/users/${itAdmin.id}`, { role: 'super-admin' }), 400, 'role', 'unknown')
  isProblem(t, await call('POST', '/api/users', { email: 'friend@acme.test', role: 'admin' }), 400, 'role', 'unknown')
  isProblem(t, await call('POST', `/api/users/${owner.id}/offboard`, {}), 422, 'status', 'last_super_admin')
  isProblem(t, await call('PATCH', `/api/users/${owner.id}`, { status: 'inactive' }), 422, 'status', 'last_super_admin')
  t.match(await app.db('users').where({ workspace_id: acme.id }).whereIn('id', [owner.id, itAdmin.id]).orderBy('email').select('email', 'role', 'status'), [
    { email: 'ivy@acme.test', role: 'it-admin', status: 'active' },
    { email: 'sam@acme.test', role: 'super-admin', status: 'active' }
  ])
})
