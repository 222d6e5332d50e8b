import type { Test } from 'tap'
import { fileURLToPath } from 'node:url'
import { buildTestApp } from './app.ts'
import { signIn } from './session.ts'
import { allPages, listsShow, nextUrlIn } from './lists.ts'
import { systemActor } from '../../core/audit/index.ts'
import { discoverPlugins } from '../../core/integrations/index.ts'
import type { Role } from '../../core/auth/roles.ts'

/**
 * The hardware pages' world: an app with a device-management fixture plugin (for look-ups), people
 * of every kind, six hand-made records (serials SN-…), one in another workspace, 120 bulk rows for
 * paging, and signed-in browsers of an admin and an employee.
 */
export async function hardwarePages (t: Test) {
  const fixtureMdm = fileURLToPath(new URL('../fixtures/lookup-plugin/', import.meta.url))
  const plugins = await discoverPlugins({ builtinDir: null, pluginDirs: [fixtureMdm] })
  const { app, workspace } = await buildTestApp(t, {}, { plugins })
  const acme = await workspace('acme')
  const other = await workspace('other')
  const r = app.registry.hardware

  async function person (workspaceId: string, email: string, first: string, last: string, role: Role = 'employee') {
    return await app.registry.people.create(workspaceId, systemActor, { email, first_name: first, last_name: last, role })
  }

  const admin = await person(acme.id, 'ada@acme.test', 'Ada', 'Admin', 'admin')
  const eli = await person(acme.id, 'eli@acme.test', 'Eli', 'Employee')
  const pat = await person(acme.id, 'pat@acme.test', 'Pat', 'Smith')
  const quinn = await person(acme.id, 'quinn@acme.test', 'Quinn', 'Jones')
  const olly = await person(acme.id, 'olly@acme.test', 'Olly', 'Gone')
  await app.registry.people.offboard(acme.id, systemActor, olly.id)

  // Six hand-made records (serials SN-…), one in another workspace, and 120 bulk rows for paging.
  const mbp = await r.create(acme.id, systemActor, { asset_tag: 'A-001', serial: 'SN-MBP-1', name: 'MacBook Pro 14', category: 'laptop', manufacturer: 'Apple', model: 'A2442' })
  await r.assign(acme.id, systemActor, mbp.id, pat.id, { note: 'Starter kit' })
  const thinkpad = await r.create(acme.id, systemActor, { asset_tag: 'A-002', serial: 'SN-TP-1', name: 'ThinkPad X1', category: 'laptop', manufacturer: 'Lenovo', model: '21HM' })
  const monitor = await r.create(acme.id, systemActor, { asset_tag: 'A-003', serial: 'SN-DM-1', name: 'Dell Monitor', category: 'monitor', manufacturer: 'Dell', status: 'in_repair' })
  const phone = await r.create(acme.id, systemActor, { asset_tag: 'A-004', serial: 'SN-IP-1', name: 'iPhone 15', category: 'phone', manufacturer: 'Apple', model: 'A3090' })
  await r.assign(acme.id, systemActor, phone.id, eli.id)
  const evil = await r.create(acme.id, systemActor, {
    asset_tag: 'A-005',
    serial: 'SN-EVIL',
    name: '=HYPERLINK("http://evil.test")',
    category: 'other',
    manufacturer: '+cmd',
    model: '-2+3',
    notes: 'He said "hi", then\nleft',
    source: 'fixture-mdm'
  })
  const old = await r.create(acme.id, systemActor, { asset_tag: 'A-006', serial: 'SN-OLD', name: 'Old laptop', category: 'laptop', manufacturer: 'HP', model: 'ProBook', status: 'retired' })
  const foreign = await r.create(other.id, systemActor, { serial: 'SN-OTHER', name: 'Other MacBook' })

  // Bulk rows, set-based: every 7th has no model, every 3rd is assigned (to Pat or Quinn).
  await app.db.raw(`
    INSERT INTO hardware (workspace_id, asset_tag, serial, name, category, model, status, assigned_user_id, assigned_at, updated_at)
    SELECT :ws, 'B-' || lpad(g::text, 3, '0'), 'BULK-' || g, 'Bulk device ' || (g % 10), 'bulk',
      CASE WHEN g % 7 = 0 THEN NULL ELSE 'Model ' || (g % 5) END,
      CASE WHEN g % 3 = 0 THEN 'assigned' ELSE 'available' END,
      CASE WHEN g % 6 = 0 THEN :pat::uuid WHEN g % 3 = 0 THEN :quinn::uuid END,
      CASE WHEN g % 3 = 0 THEN now() END,
      now() - (g % 4) * interval '1 hour'
    FROM generate_series(1, 120) g`, { ws: acme.id, pat: pat.id, quinn: quinn.id })

  const ROW = /<td class="nowrap"><a href="\/hardware\/([0-9a-f-]{36})">([^<]+)<\/a><\/td>/g
  /** Asset tags of the table rows, in order. */
  const tagsIn = (html: string) => [...html.matchAll(ROW)].map(m => m[2])
  const idsIn = (html: string) => [...html.matchAll(ROW)].map(m => m[1])
  const nextUrl = (html: string) => nextUrlIn(html, 'hardware')
  const HAND = 'q=SN-'

  const asAdmin = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: admin.id })
  const asEli = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: eli.id })

  const pagesOf = async (t: Test, url: string) => {
    const { items, pages } = await allPages(t, asAdmin, url, 'hardware', tagsIn)
    return { tags: items, pages }
  }
  const listsShowTags = (t: Test, cases: Array<[string, string[]]>) => listsShow(t, asAdmin, '/hardware', tagsIn, cases)

  return { app, acme, other, r, admin, eli, pat, quinn, olly, mbp, thinkpad, monitor, phone, evil, old, foreign, ROW, tagsIn, idsIn, nextUrl, HAND, asAdmin, asEli, pagesOf, listsShowTags }
}
