import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'
import { ROLES } from '../core/auth/roles.ts'

// The main menu offers each person only the pages their role may open: every link it shows, for
// every role, opens (never a 403 or a 404).

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')

/** The links of the main menu on a page. */
function menuOf (html: string): Array<{ href: string, label: string }> {
  const nav = /<nav aria-label="Main">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? ''
  return [...nav.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map(m => ({ href: m[1], label: m[2] }))
}

for (const role of ROLES) {
  t.test(`${role}: every menu link opens`, async t => {
    const person = await app.registry.people.create(acme.id, systemActor, { email: `${role}@acme.test`, first_name: role, role })
    const session = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: person.id })
    const menu = menuOf((await session.get('/')).body)
    t.ok(menu.length >= 3, `the menu: ${menu.map(m => m.label).join(', ')}`)
    for (const { href, label } of menu) {
      const res = await session.get(href)
      t.equal(res.statusCode, 200, `${label} (${href}) opens for ${role}`)
    }
    if (role === 'employee') {
      t.same(menu.map(m => m.label), ['Hardware', 'Software', 'Requests'], 'an employee\'s menu: their hardware, software and requests')
    } else {
      t.ok(menu.some(m => m.label === 'People') && menu.some(m => m.label === 'Settings'), 'admins see People and Settings')
    }
  })
}
