import type { Test } from 'tap'
import { buildTestApp } from './app.ts'
import { signIn } from './session.ts'
import { allPages, listsShow as listsShowIn } from './lists.ts'
import { writeProbe } from './register.ts'
import { systemActor } from '../../core/audit/index.ts'
import type { Role } from '../../core/auth/roles.ts'
import type { PersonInput } from '../../core/register/index.ts'

/**
 * The People pages' world: people of every kind and status (one offboarded, one in another
 * workspace), their hardware and seats, bulk rows for paging, and signed-in browsers of an admin,
 * a super-admin and an employee.
 */
export async function peopleFixture (t: Test) {
  const { app, workspace } = await buildTestApp(t)
  const acme = await workspace('acme')
  const other = await workspace('other')
  const { people, hardware, software } = app.registry

  async function person (workspaceId: string, email: string, first: string, last: string, role: Role = 'employee', more: Partial<PersonInput> = {}) {
    return await people.create(workspaceId, systemActor, { email, first_name: first, last_name: last, role, ...more })
  }

  const ada = await person(acme.id, 'ada@acme.test', 'Ada', 'Admin', 'admin', { department: 'IT' })
  const sue = await person(acme.id, 'sue@acme.test', 'Sue', 'Super', 'super-admin', { department: 'IT' })
  const eli = await person(acme.id, 'eli@acme.test', 'Eli', 'Employee', 'employee', { department: 'Sales' })
  const quinn = await person(acme.id, 'quinn@acme.test', 'Quinn', 'Jones', 'employee', { department: 'Engineering', job_title: 'Engineer', start_date: '2022-03-01' })
  const pat = await person(acme.id, 'pat@acme.test', 'Pat', 'Smith', 'employee', {
    department: 'Design', job_title: 'Designer', location: 'Berlin', cost_center: 'CC-42', start_date: '2023-01-10', manager_id: quinn.id
  })
  const olly = await person(acme.id, 'olly@acme.test', 'Olly', 'Gone', 'employee')
  await people.offboard(acme.id, systemActor, olly.id)
  const evil = await person(acme.id, 'evil@acme.test', '=HYPERLINK("http://evil.test")', 'Evil', 'employee', { department: '+cmd' })
  const stranger = await person(other.id, 'sam@other.test', 'Sam', 'Stranger')

  const laptop = await hardware.create(acme.id, systemActor, { asset_tag: 'A-001', serial: 'SN-1', name: 'MacBook Pro', category: 'laptop' })
  await hardware.assign(acme.id, systemActor, laptop.id, pat.id)
  const phone = await hardware.create(acme.id, systemActor, { asset_tag: 'A-002', serial: 'SN-2', name: 'iPhone', category: 'phone' })
  await hardware.assign(acme.id, systemActor, phone.id, eli.id)
  const figma = await software.create(acme.id, systemActor, { name: 'Figma', seats_purchased: 5, cost_per_seat: 12 })
  const patFigma = await software.assignSeat(acme.id, systemActor, figma.id, { userId: pat.id }, { lastActiveAt: new Date() })
  const eliFigma = await software.assignSeat(acme.id, systemActor, figma.id, { userId: eli.id })

  // 120 people for paging, set-based: every 4th has no department, every 5th no start date, every 7th is inactive.
  await app.db.raw(`
    INSERT INTO users (workspace_id, email, first_name, last_name, department, status, role, start_date)
    SELECT :ws, 'bulk-' || lpad(g::text, 3, '0') || '@bulk.test', 'Bulk', 'Person ' || lpad(g::text, 3, '0'),
      CASE WHEN g % 4 = 0 THEN NULL ELSE 'Dept ' || (g % 3) END,
      CASE WHEN g % 7 = 0 THEN 'inactive' ELSE 'active' END,
      CASE WHEN g % 2 = 0 THEN 'employee' ELSE 'it-admin' END,
      CASE WHEN g % 5 = 0 THEN NULL ELSE date '2020-01-01' + g END
    FROM generate_series(1, 120) g`, { ws: acme.id })

  const ROW = /<td><a href="\/people\/([0-9a-f-]{36})">[^<]*<\/a><span class="cell-note">([^<]+)<\/span><\/td>/g
  /** Emails of the table rows, in order. */
  const emailsIn = (html: string) => [...html.matchAll(ROW)].map(m => m[2])
  const versionOn = (html: string) => /name="version" value="(\d+)"/.exec(html)?.[1] ?? ''
  const HAND = 'q=acme.test'

  const as = (user: { id: string }) => signIn(app, { slug: 'acme', workspaceId: acme.id, userId: user.id })
  const asAdmin = await as(ada)
  const asSue = await as(sue)
  const asEli = await as(eli)

  const probe = writeProbe(app, ['users', 'audit_log', 'events'], ['(SELECT coalesce(sum(version), 0) FROM users WHERE workspace_id = :ws)::int AS versions'])
  const counts = () => probe.counts(acme.id)
  const peoplePages = (t: Test, url: string) => allPages(t, asAdmin, url, 'people', emailsIn)

  const listsShow = (t: Test, cases: Array<[string, string[]]>) => listsShowIn(t, asAdmin, '/people', emailsIn, cases)

  return { app, acme, other, people, hardware, software, person, ada, sue, eli, quinn, pat, olly, evil, stranger, laptop, phone, figma, patFigma, eliFigma, ROW, emailsIn, versionOn, HAND, as, asAdmin, asSue, asEli, probe, counts, peoplePages, listsShow }
}
