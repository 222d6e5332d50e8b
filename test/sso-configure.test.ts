// Only super-admins configure a sign-in plugin: whoever configures an identity provider can sign in
// as anyone. Admins see its card read-only, with the reason; every change they post is refused.
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { members } from './helpers/members.ts'
import { enableFixtureSso, signInPlugins, SSO_PLUGIN } from './helpers/sso.ts'
import { startFakeIdp } from './fixtures/sign-in-plugin/fake-idp.ts'

const idp = await startFakeIdp()
t.teardown(idp.close)
const { app, workspace } = await buildTestApp(t, {}, { plugins: await signInPlugins() })
const acme = await workspace('acme')
const { add, as } = members(app, acme)
const admin = await as(await add('admin', 'ann@acme.test'))
const owner = await as(await add('super-admin', 'sue@acme.test'))
const PAGE = `/settings/integrations/${SSO_PLUGIN}`
await enableFixtureSso(app, acme.id, idp)
const saved = async () => await app.db('integrations').where({ workspace_id: acme.id, plugin_id: SSO_PLUGIN }).first()

t.test('an admin sees a sign-in plugin read-only, with the reason, and cannot change it', async t => {
  const page = await admin.get(PAGE)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Only a super admin can change a sign-in integration: whoever configures an identity provider can sign in as anyone in this workspace.')
  t.match(page.body, '<fieldset disabled>')
  t.notMatch(page.body, 'Save changes')
  t.notMatch(page.body, 'Disconnect')

  const before = await saved()
  const save = await admin.post(PAGE, { idpUrl: 'http://127.0.0.1:1', signingKey: 'attacker-key-123', createPeople: 'true', defaultRole: 'super-admin', enabled: 'true' })
  t.equal(save.statusCode, 403)
  t.match(save.body, 'Super admin')
  t.equal((await admin.post(`${PAGE}/disconnect`, {})).statusCode, 403)
  t.equal((await admin.post(`${PAGE}/test`, {})).statusCode, 403)
  t.match(page.body, 'Callback to register: <code>http://acme.localhost:3000/sign-in/sso/fixture-sso/get/callback</code>', 'the plugin\'s part is shown')
  t.notMatch(page.body, 'Save label', 'without its forms (readOnly)')
  t.equal((await admin.post(`${PAGE}/actions/label`, { label: 'mine' })).statusCode, 403, 'its page actions are refused')
  t.match((await owner.get(PAGE)).body, 'Label: none')
  t.same(await saved(), before, 'nothing changed')
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, action: 'access.denied' }).first(), { actor_label: 'ann@acme.test' }, 'the refusal is audited')
})

t.test('a super-admin configures and disconnects it', async t => {
  const page = await owner.get(PAGE)
  t.notMatch(page.body, 'Only a super admin can change a sign-in integration')
  t.match(page.body, 'Save changes')
  t.match(page.body, 'Save label')
  const action = await owner.post(`${PAGE}/actions/label`, { label: 'Okta' })
  t.equal(action.statusCode, 303)
  t.match((await owner.get(PAGE)).body, 'Label: Okta')
  const save = await owner.post(PAGE, { idpUrl: idp.url, signingKey: 'another-signing-key', createPeople: 'true', defaultRole: 'employee', enabled: 'true' })
  t.equal(save.statusCode, 303)
  t.equal((await saved()).version > 1, true)
  const pat = await add('employee', 'pat@acme.test')
  await app.db('sign_in_identities').insert({ workspace_id: acme.id, user_id: pat.id, plugin_id: SSO_PLUGIN, method: 'get', subject: 'sub-pat' })
  t.equal((await owner.post(`${PAGE}/disconnect`, {})).statusCode, 303)
  t.notOk(await saved())
  t.same(await app.db('sign_in_identities').where({ workspace_id: acme.id }), [], 'its links of people to subjects go with it')
})
