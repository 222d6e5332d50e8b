import type { Test } from 'tap'
import { buildTestApp } from './app.ts'
import { signIn } from './session.ts'
import { writeProbe } from './register.ts'
import { systemActor } from '../../core/audit/index.ts'
import type { Role } from '../../core/auth/roles.ts'

/**
 * The Software pages' world: titles with seats held, idle and revoked, people to give seats to,
 * bulk rows for paging, and signed-in browsers of an admin and an employee.
 */
export async function softwareFixture (t: Test) {
  const { app, workspace } = await buildTestApp(t)
  const acme = await workspace('acme')
  const other = await workspace('other')
  const { people, software } = app.registry

  async function person (workspaceId: string, email: string, first: string, last: string, role: Role = 'employee') {
    return await people.create(workspaceId, systemActor, { email, first_name: first, last_name: last, role })
  }

  const ada = await person(acme.id, 'ada@acme.test', 'Ada', 'Admin', 'admin')
  const eli = await person(acme.id, 'eli@acme.test', 'Eli', 'Employee')
  const pat = await person(acme.id, 'pat@acme.test', 'Pat', 'Smith')
  const quinn = await person(acme.id, 'quinn@acme.test', 'Quinn', 'Jones')
  const olly = await person(acme.id, 'olly@acme.test', 'Olly', 'Gone')
  await people.offboard(acme.id, systemActor, olly.id)
  const stranger = await person(other.id, 'sam@other.test', 'Sam', 'Stranger')

  const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000)
  // Figma: 4 seats held, 2 used in the last 30 days, 2 idle (one 45 days ago, one never).
  const figma = await software.create(acme.id, systemActor, { name: 'Figma', vendor: 'Figma Inc', seats_purchased: 10, cost_per_seat: 15.5, renewal_date: '2025-03-01' })
  const patFigma = await software.assignSeat(acme.id, systemActor, figma.id, { userId: pat.id }, { lastActiveAt: daysAgo(1) })
  const quinnFigma = await software.assignSeat(acme.id, systemActor, figma.id, { userId: quinn.id }, { lastActiveAt: daysAgo(45) })
  const eliFigma = await software.assignSeat(acme.id, systemActor, figma.id, { userId: eli.id })
  await software.assignSeat(acme.id, systemActor, figma.id, { externalEmail: 'guest@partner.test' }, { lastActiveAt: daysAgo(2) })
  // Slack: one more seat in use than purchased, all idle; VS Code: counted by hand; Notion: no cost, no seats.
  const slack = await software.create(acme.id, systemActor, { name: 'Slack', seats_purchased: 1, cost_per_seat: 8 })
  await software.assignSeat(acme.id, systemActor, slack.id, { userId: eli.id }, { lastActiveAt: daysAgo(31) })
  await software.assignSeat(acme.id, systemActor, slack.id, { userId: pat.id })
  const vscode = await software.create(acme.id, systemActor, { name: 'VS Code', seats_purchased: 50, cost_per_seat: 5, manual_seat_count: 40 })
  const notion = await software.create(acme.id, systemActor, { name: 'Notion', vendor: 'Notion Labs', seats_purchased: 5 })
  await software.create(acme.id, systemActor, { name: '=SUM(1+2)', vendor: '@vendor', seats_purchased: 1 })
  const foreign = await software.create(other.id, systemActor, { name: 'Other Figma', seats_purchased: 3 })
  const foreignSeat = await software.assignSeat(other.id, systemActor, foreign.id, { userId: stranger.id })

  // Paging: 60 more titles (costs and renewals left out on some), and 120 outside seats on one of them.
  await app.db.raw(`
    INSERT INTO software (workspace_id, name, seats_purchased, cost_per_seat, renewal_date)
    SELECT :ws, 'Tool ' || lpad(g::text, 3, '0'), g % 9,
      CASE WHEN g % 4 = 0 THEN NULL ELSE (g % 6) * 2.5 END,
      CASE WHEN g % 5 = 0 THEN NULL ELSE date '2026-01-01' + g END
    FROM generate_series(1, 60) g`, { ws: acme.id })
  const bulk = await software.create(acme.id, systemActor, { name: 'Bulk', seats_purchased: 200, cost_per_seat: 1 })
  await app.db.raw(`
    INSERT INTO software_assignments (workspace_id, software_id, external_email, last_active_at, assigned_at)
    SELECT :ws, :sw, 'seat-' || lpad(g::text, 3, '0') || '@ext.test',
      CASE WHEN g % 3 = 0 THEN NULL ELSE now() - g * interval '1 day' END,
      now() - (g % 10) * interval '1 hour'
    FROM generate_series(1, 120) g`, { ws: acme.id, sw: bulk.id })
  // Seats 1–29 were active in the last 30 days except every third: 29 - 9 = 20 active, 100 idle.
  const BULK_ACTIVE = 20
  // Every seat was handed out long enough ago to be idle when unused (a seat is not idle in its first 30 days).
  await app.db('software_assignments').whereIn('workspace_id', [acme.id, other.id]).update({ assigned_at: app.db.raw("assigned_at - interval '60 days'") })

  const ROW = /<td><a href="\/software\/([0-9a-f-]{36})">([^<]+)<\/a>/g
  const namesIn = (html: string) => [...html.matchAll(ROW)].map(m => m[2].replace(/&#x3D;/g, '='))
  const SEAT = /<tr>\s*<td>(?:<a href="\/people\/[0-9a-f-]{36}">[^<]+<\/a><span class="cell-note">)?([^<]+@[^<]+?)(?:<span| ·|<\/span>)/g
  const seatsIn = (html: string) => [...(html.split('<tbody id="seat-rows">')[1] ?? html).matchAll(SEAT)].map(m => m[1])
  const rowOf = (html: string, name: string) => {
    const start = html.indexOf(`">${name}</a>`)
    return html.slice(start, html.indexOf('</tr>', start))
  }
  const TOOLS = 'q=tool'

  const as = (user: { id: string }) => signIn(app, { slug: 'acme', workspaceId: acme.id, userId: user.id })
  const asAdmin = await as(ada)
  const asEli = await as(eli)

  const probe = writeProbe(app, ['software', 'software_assignments', 'audit_log', 'events'], [
    '(SELECT coalesce(sum(version), 0) FROM software WHERE workspace_id = :ws)::int AS versions',
    '(SELECT count(*) FROM software_assignments WHERE workspace_id = :ws AND revoked_at IS NOT NULL)::int AS revoked'
  ])
  const counts = () => probe.counts(acme.id)

  return { app, acme, other, people, software, person, ada, eli, pat, quinn, olly, stranger, daysAgo, figma, patFigma, quinnFigma, eliFigma, slack, vscode, notion, foreign, foreignSeat, bulk, BULK_ACTIVE, ROW, namesIn, SEAT, seatsIn, rowOf, TOOLS, as, asAdmin, asEli, probe, counts }
}
