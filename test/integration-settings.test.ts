import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { IntegrationSettings } from '../core/integrations/settings.ts'
import type { Actor } from '../core/audit/index.ts'

const actor: Actor = { type: 'user', id: null, label: 'admin@acme.test' }
const plugin = {
  id: 'vendor-x',
  settingsSchema: {
    type: 'object' as const,
    required: ['tenantUrl', 'clientId', 'clientSecret'],
    properties: {
      tenantUrl: { type: 'string', format: 'uri', pattern: '^https://' },
      clientId: { type: 'string', minLength: 3 },
      clientSecret: { type: 'string', writeOnly: true, minLength: 8 },
      pageSize: { type: 'integer', minimum: 1, maximum: 500, default: 100 }
    }
  }
}
const VALID = { tenantUrl: 'https://acme.example.com', clientId: 'client-1', clientSecret: 's3cret-value-1' }

t.test('settings are validated by field, secrets encrypted, blank secrets kept', async t => {
  const { app, workspace } = await buildTestApp(t)
  const ws = (await workspace('acme')).id
  const settings = new IntegrationSettings(app.db, app.secrets)

  const bad = await settings.save(ws, actor, plugin, { tenantUrl: 'http://plain', clientId: 'x', pageSize: '9000', color: 'red' })
  t.same(bad, { ok: false, errors: [{ field: 'color', rule: 'unknown', message: 'is not a setting of this integration' }] })
  const invalid = await settings.save(ws, actor, plugin, { tenantUrl: 'http://plain', clientId: 'x', pageSize: '9000' })
  t.equal(invalid.ok, false)
  const byField = Object.fromEntries(!invalid.ok ? invalid.errors.map(e => [e.field, e.rule]) : [])
  t.same(byField, { tenantUrl: 'pattern', clientId: 'minLength', clientSecret: 'required', pageSize: 'maximum' })
  t.equal((await app.db('integrations')).length, 0, 'nothing stored')

  const saved = await settings.save(ws, actor, plugin, { ...VALID, pageSize: '50' }, { enabled: true })
  t.equal(saved.ok, true)
  const row = await app.db('integrations').where({ workspace_id: ws }).first()
  t.same(row.settings, { tenantUrl: VALID.tenantUrl, clientId: 'client-1', pageSize: 50 }, 'coerced, and no secret among plain settings')
  t.notMatch(JSON.stringify(row.secrets), VALID.clientSecret, 'the secret is encrypted at rest')

  const form = await settings.form(ws, plugin)
  t.same(form, { enabled: true, values: row.settings, secretsSaved: { clientSecret: true } })
  t.notMatch(JSON.stringify(form), VALID.clientSecret, 'the form never carries the secret')

  // A blank secret keeps the stored one; a new value replaces it.
  t.equal((await settings.save(ws, actor, plugin, { ...VALID, clientSecret: '', clientId: 'client-2' })).ok, true)
  t.same(await settings.resolve(ws, plugin), { tenantUrl: VALID.tenantUrl, clientId: 'client-2', pageSize: 100, clientSecret: VALID.clientSecret })
  t.equal((await settings.save(ws, actor, plugin, { ...VALID, clientSecret: 'another-secret' })).ok, true)
  t.equal((await settings.resolve(ws, plugin)).clientSecret, 'another-secret')

  const audit = await app.db('audit_log').where({ workspace_id: ws, action: 'integration.settings_saved' }).orderBy('id')
  t.equal(audit.length, 3)
  t.same(audit[2].changes, { clientSecret: { old: '(set)', new: '(changed)' }, clientId: { old: 'client-2', new: 'client-1' } })
  t.notMatch(JSON.stringify(audit), /s3cret|another-secret/, 'no secret reaches the audit log')
})

t.test('enable and disable are audited once per change', async t => {
  const { app, workspace } = await buildTestApp(t)
  const ws = (await workspace('acme')).id
  const settings = new IntegrationSettings(app.db, app.secrets)
  await settings.setEnabled(ws, actor, plugin, true)
  await settings.setEnabled(ws, actor, plugin, true)
  await settings.setEnabled(ws, actor, plugin, false)
  const actions = (await app.db('audit_log').where({ workspace_id: ws }).orderBy('id')).map(r => r.action)
  t.same(actions, ['integration.enabled', 'integration.disabled'])
})
