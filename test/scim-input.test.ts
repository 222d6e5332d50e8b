import t from 'tap'
import type { Test } from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { ENTERPRISE, GROUP, PATCH_OP, USER, scimClient } from './helpers/scim.ts'

// Bad input at /scim/v2: NUL characters in any attribute, filter or id, JSON nested 5,000 deep,
// filters of thousands of parentheses. Each is a SCIM error (400), never a 500, and nothing is
// written.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const okta = await scimClient(app, acme.id, 'Okta')
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error'
const N = '\u0000'

const user = await okta.ok('POST', '/Users', { schemas: [USER], userName: 'ada@acme.test', name: { givenName: 'Ada' }, emails: [{ value: 'ada@acme.test', primary: true }], active: true })
const group = await okta.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', members: [] })

const counts = async () => Object.fromEntries(await Promise.all(['users', 'scim_users', 'scim_groups', 'scim_group_members', 'audit_log', 'events'].map(async table =>
  [table, Number((await (table.startsWith('scim_') ? app.pluginDb('scim') : app.db)(table).where({ workspace_id: acme.id }).count({ n: '*' }))[0].n)])))

function isScimError (t: Test, res: { statusCode: number, body: string, headers: Record<string, unknown> }, status: number, scimType: string, detail?: RegExp) {
  t.equal(res.statusCode, status, res.body.slice(0, 300))
  t.match(res.headers['content-type'], /^application\/scim\+json/)
  const body = JSON.parse(res.body)
  t.match(body, { schemas: [ERROR], status: String(status), scimType, detail: detail ?? String })
  return body
}

t.test('a NUL in any attribute of a body, a PATCH value or path, a filter, a parameter or an id is 400 invalidValue naming it', async t => {
  const before = await counts()
  const cases: Array<[string, string, unknown, RegExp]> = [
    ['POST', '/Users', { schemas: [USER], userName: `b${N}@acme.test`, active: true }, /^userName must not contain NUL/],
    ['POST', '/Users', { schemas: [USER, ENTERPRISE], userName: 'b@acme.test', name: { givenName: `B${N}` }, [ENTERPRISE]: { department: `R${N}D` }, active: true }, /name\.givenName, urn:.*:enterprise:2\.0:User\.department must not contain NUL/],
    ['POST', '/Users', { schemas: [USER], userName: 'c@acme.test', emails: [{ value: `c${N}@acme.test` }], active: true }, /^emails\.0\.value /],
    ['POST', '/Users', { schemas: [USER], userName: 'd@acme.test', [`nick${N}Name`]: 'D', active: true }, /^nick\\u0000Name /],
    ['PUT', `/Users/${user.id}`, { schemas: [USER], userName: 'ada@acme.test', title: `CTO${N}`, active: true }, /^title /],
    ['PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: `x${N}` }] }, /^Operations\.0\.value /],
    ['PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `emails[value eq "a${N}"].value`, value: 'x' }] }, /^Operations\.0\.path /],
    ['POST', '/Groups', { schemas: [GROUP], displayName: `Ops${N}`, members: [] }, /^displayName /],
    ['PATCH', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: `${user.id}${N}` }] }] }, /^Operations\.0\.value\.0\.value /],
    ['GET', `/Users?filter=${encodeURIComponent(`userName eq "a${N}"`)}`, undefined, /^filter /],
    ['GET', `/Groups?filter=${encodeURIComponent(`displayName sw "E${N}"`)}&count=5`, undefined, /^filter /],
    ['GET', `/Users?attributes=${encodeURIComponent(`userName${N}`)}`, undefined, /^attributes /],
    ['GET', '/Users/%00', undefined, /^id /],
    ['DELETE', `/Groups/${group.id}%00`, undefined, /^id /]
  ]
  for (const [method, url, body, detail] of cases) {
    isScimError(t, await okta.call(method, url, body), 400, 'invalidValue', detail)
  }
  t.same(await counts(), before, 'nothing written')
  t.match(await app.db('users').where({ workspace_id: acme.id, id: user.id }).first(), { first_name: 'Ada', job_title: null })
})

t.test('a body nested 5,000 deep is 400 invalidSyntax before it is parsed; a filter or path of thousands of parentheses is 400 too', async t => {
  const before = await counts()
  const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`
  for (const n of [5_000, 100_000]) {
    isScimError(t, await okta.call('POST', '/Users', `{"schemas":["${USER}"],"userName":"deep@acme.test","name":${deep(n)}}`), 400, 'invalidSyntax', /nests arrays and objects more than 32 deep/)
    isScimError(t, await okta.call('PATCH', `/Users/${user.id}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":${deep(n)}}]}`), 400, 'invalidSyntax')
    isScimError(t, await okta.call('PUT', `/Groups/${group.id}`, `{"schemas":["${GROUP}"],"displayName":"Engineering","members":${'['.repeat(n)}${']'.repeat(n)}}`), 400, 'invalidSyntax')
  }
  const nested = `${'('.repeat(5_000)}userName eq "ada@acme.test"${')'.repeat(5_000)}`
  isScimError(t, await okta.call('GET', `/Users?filter=${encodeURIComponent(nested)}`), 400, 'invalidFilter', /nesting deeper than 32/)
  isScimError(t, await okta.call('GET', `/Users?filter=${encodeURIComponent('not ('.repeat(5_000) + 'active eq true' + ')'.repeat(5_000))}`), 400, 'invalidFilter')
  isScimError(t, await okta.patch(`/Users/${user.id}`, { op: 'remove', path: `emails[${nested}]` }), 400, 'invalidPath')
  t.same(await counts(), before, 'nothing written')
  t.equal((await okta.call('GET', `/Users/${user.id}`)).statusCode, 200, 'still answering')
})
