import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'
import type { Hardware } from '../core/register/index.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')
const { people, hardware, software, requests } = app.registry
const ws = acme.id

const admin = await people.create(ws, systemActor, { email: 'ada@acme.test', role: 'it-admin', first_name: 'Ada' })
const eve = await people.create(ws, systemActor, { email: 'eve@acme.test', first_name: 'Eve' })
const bob = await people.create(ws, systemActor, { email: 'bob@acme.test', first_name: 'Bob' })
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000)

// Hardware: 3 available, 2 assigned (one to Eve, one to Bob), 1 in repair, 1 retired, 0 lost.
const made: Hardware[] = []
for (let i = 0; i < 7; i++) made.push(await hardware.create(ws, systemActor, { serial: `D-${i}`, name: `Device ${i}`, model: `Model ${i}` }))
await hardware.assign(ws, systemActor, made[0].id, eve.id)
await hardware.assign(ws, systemActor, made[1].id, bob.id)
await hardware.update(ws, systemActor, made[2].id, { status: 'in_repair' })
await hardware.update(ws, systemActor, made[3].id, { status: 'retired' })
await hardware.create(other.id, systemActor, { serial: 'O-1', name: 'Not ours' })

// Seats (cost_per_seat is monthly). Idle: Figma for Bob (never used) and for a guest (45 days),
// Slack for Eve (31 days), Zoom for Eve (never; no cost). Not idle: Figma for Eve (5 days),
// Slack for Bob (29 days), a revoked Figma seat, and another workspace's seat.
const figma = await software.create(ws, systemActor, { name: 'Figma', cost_per_seat: 12.5, seats_purchased: 10 })
const slack = await software.create(ws, systemActor, { name: 'Slack', cost_per_seat: 8 })
const zoom = await software.create(ws, systemActor, { name: 'Zoom' })
await software.assignSeat(ws, systemActor, figma.id, { userId: eve.id }, { lastActiveAt: daysAgo(5) })
await software.assignSeat(ws, systemActor, figma.id, { userId: bob.id })
await software.assignSeat(ws, systemActor, figma.id, { externalEmail: 'guest@agency.test' }, { lastActiveAt: daysAgo(45) })
await software.assignSeat(ws, systemActor, slack.id, { userId: eve.id }, { lastActiveAt: daysAgo(31) })
await software.assignSeat(ws, systemActor, slack.id, { userId: bob.id }, { lastActiveAt: daysAgo(29) })
await software.assignSeat(ws, systemActor, zoom.id, { userId: eve.id })
const revoked = await software.assignSeat(ws, systemActor, figma.id, { externalEmail: 'gone@agency.test' })
await software.revokeSeat(ws, systemActor, revoked.id)
const otherTool = await software.create(other.id, systemActor, { name: 'Figma', cost_per_seat: 99 })
await software.assignSeat(other.id, systemActor, otherTool.id, { externalEmail: 'x@other.test' })
// Held for 90 days: a seat is not idle in its first 30 (test/software-spend.test.ts).
await app.db('software_assignments').whereIn('workspace_id', [ws, other.id]).update({ assigned_at: app.db.raw("now() - interval '90 days'") })

// Requests: Eve 2 created + 1 rejected, Bob 1 approved + 1 fulfilled -> 3 open.
const evesLaptop = await requests.create(ws, systemActor, { requester_id: eve.id, category: 'laptop' })
await requests.create(ws, systemActor, { requester_id: eve.id, category: 'monitor' })
const evesPhone = await requests.create(ws, systemActor, { requester_id: eve.id, category: 'phone' })
await requests.reject(ws, systemActor, evesPhone.id, 'No budget')
const bobsDock = await requests.create(ws, systemActor, { requester_id: bob.id, category: 'dock' })
await requests.approve(ws, systemActor, bobsDock.id)
const bobsChair = await requests.create(ws, systemActor, { requester_id: bob.id, category: 'chair' })
await requests.approve(ws, systemActor, bobsChair.id)
await requests.fulfil(ws, systemActor, bobsChair.id, made[4].id)
// made[4] went to Bob: available 2, assigned 3.

// Integration runs: six here (the dashboard shows the last five), one elsewhere.
const plugin = app.integrations.plugins[0]
const run = (workspaceId: string, pluginId: string, minutesAgo: number, extra: Record<string, unknown> = {}) => ({
  workspace_id: workspaceId,
  plugin_id: pluginId,
  kind: 'sync',
  status: 'succeeded',
  created: 4,
  updated: 2,
  unchanged: 7,
  skipped: 1,
  errors: 0,
  created_at: new Date(Date.now() - minutesAgo * 60_000),
  finished_at: new Date(Date.now() - minutesAgo * 60_000 + 30_000),
  ...extra
})
await app.db('integration_runs').insert([
  run(ws, plugin.id, 60, { created: 111 }),
  run(ws, plugin.id, 50), run(ws, plugin.id, 40), run(ws, plugin.id, 30),
  run(ws, 'retired-plugin', 20, { status: 'failed', errors: 3, kind: 'test' }),
  run(ws, plugin.id, 10, { status: 'running', finished_at: null, created: 42 }),
  run(other.id, plugin.id, 1, { created: 999 })
])

const number = (html: string, id: string) => new RegExp(`id="${id}">([^<]+)<`).exec(html)?.[1]
const statusCount = (html: string, status: string) => new RegExp(`<dd data-status="${status}">(\\d+)</dd>`).exec(html)?.[1]

t.test('the admin dashboard', async t => {
  const res = await (await signIn(app, { slug: 'acme', workspaceId: ws, userId: admin.id })).get('/')
  t.equal(res.statusCode, 200)
  const html = res.body

  t.test('hardware by status, this workspace only', async t => {
    t.same(['available', 'assigned', 'in_repair', 'retired', 'lost', 'total'].map(s => statusCount(html, s)), ['2', '3', '1', '1', '0', '7'])
    t.equal(number(html, 'available-count'), '2', 'unassigned: the available count')
  })

  t.test('idle seats and their monthly cost', async t => {
    t.equal(number(html, 'idle-seats'), '4')
    t.equal(number(html, 'idle-cost'), 'US$33.00', 'two Figma seats at 12.50 and one Slack seat at 8, in the workspace currency')
    t.match(await software.idleSeats(ws), { seats: 4, monthlyCost: 33 }, 'the register computes the same')
    t.match(await software.idleSeats(ws, 60), { seats: 2, monthlyCost: 12.5 }, 'a longer window leaves the never-used seats')
  })

  t.test('open requests', async t => {
    t.equal(number(html, 'open-requests'), '3')
    t.match(html, '2 submitted · 1 approved')
    t.match(html, 'href="/requests"', 'links to the requests page')
  })

  t.test('the last five integration runs, with plugin names', async t => {
    const rows = html.slice(html.indexOf('id="recent-runs"')).match(/<tr>\s*<td>/g) ?? []
    t.equal(rows.length, 5)
    t.match(html, plugin.manifest.name)
    t.match(html, 'retired-plugin', 'a plugin no longer installed shows its id')
    t.match(html, '<td class="num">42</td>', 'the running one, newest first')
    t.match(html, 'not finished')
    t.notMatch(html, '<td class="num">111</td>', 'the sixth run is left out')
    t.notMatch(html, '<td class="num">999</td>', "another workspace's run is not shown")
    t.match(html, `href="/settings/integrations/${plugin.id}"`)
  })

  t.test('links only to pages that exist', async t => {
    const links = [...html.matchAll(/href="(\/[^"?]*)/g)].map(m => m[1]).filter(h => !h.startsWith('/assets/'))
    t.ok(links.length > 0)
    for (const href of new Set(links)) {
      const url = href.replace(/\/settings\/integrations\/[^/]+$/, '/settings/integrations/:id')
      t.ok(app.hasRoute({ method: 'GET', url }), `${href} is a page`)
    }
    t.equal(html.replace(/&#x3D;/g, '=').includes('href="/hardware?status=available"'), app.hasRoute({ method: 'GET', url: '/hardware' }), 'the available link appears with the hardware page')
  })
})

t.test("an employee's home shows only their own things", async t => {
  const res = await (await signIn(app, { slug: 'acme', workspaceId: ws, userId: eve.id })).get('/')
  t.equal(res.statusCode, 200)
  const html = res.body
  t.match(html, 'href="/requests/new"', 'a Request an asset link')
  t.match(html, 'Request an asset')
  t.match(html, `${made[0].asset_tag}</strong> Device 0`, 'their hardware')
  t.notMatch(html, 'Device 1', "not Bob's")
  t.notMatch(html, 'Device 4', "nor what Bob's request got")
  for (const name of ['Figma', 'Slack', 'Zoom']) t.match(html, `<li>${name}</li>`, `their ${name} seat`)
  t.match(html, `href="/requests/${evesLaptop.id}"`, 'their requests')
  t.match(html, 'badge-request-rejected')
  t.notMatch(html, bobsDock.id, "not Bob's requests")
  t.notMatch(html, 'id="idle-seats"', 'no workspace figures')
  t.notMatch(html, 'Last integration runs')
})
