import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { USER, scimClient } from './helpers/scim.ts'

// A person provisioned over SCIM is named by what the identity provider knows: the given and family
// names, else the full name (name.formatted), else displayName — never left to their email.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const entra = await scimClient(app, acme.id, 'Entra ID')
const person = (id: string) => app.db('users').where({ workspace_id: acme.id, id }).first('first_name', 'last_name')
const user = (userName: string, more: Record<string, unknown>) => entra.ok('POST', '/Users', { schemas: [USER], userName, active: true, ...more })

t.test('given and family names, else the full name, else the display name', async t => {
  const parts = await user('ana@acme.test', { name: { givenName: 'Ana', familyName: 'Silva', formatted: 'Dr Ana Silva' }, displayName: 'Ana S.' })
  t.match(await person(parts.id), { first_name: 'Ana', last_name: 'Silva' }, 'the parts when given')
  const familyOnly = await user('kim@acme.test', { name: { familyName: 'Kim' }, displayName: 'Kim Min-jun' })
  t.match(await person(familyOnly.id), { first_name: null, last_name: 'Kim' }, 'a family name alone is a name')
  const formatted = await user('raj@acme.test', { name: { formatted: 'Raj Patel' }, displayName: 'Raj' })
  t.match(await person(formatted.id), { first_name: 'Raj Patel', last_name: null }, 'the full name, whole')
  const display = await user('svc-print@acme.test', { displayName: 'Print Service' })
  t.match(await person(display.id), { first_name: 'Print Service', last_name: null }, 'else the display name')
  const nothing = await user('x@acme.test', { name: { givenName: '  ' } })
  t.match(await person(nothing.id), { first_name: null, last_name: null }, 'unknown stays blank')
})
