import t from 'tap'
import { Agent, request } from 'undici'
import { buildTestApp } from './helpers/app.ts'
import { systemActor } from '../core/audit/index.ts'
import { issueSignInLink } from '../core/auth/sign-in-links.ts'
import { setPassword } from '../core/auth/set-password.ts'
import { MAX_FAILED_SIGN_INS, MAX_FAILED_SIGN_INS_PER_ADDRESS } from '../core/auth/sign-in-limit.ts'

// Password guessing over real HTTP, many requests at once, from several loopback addresses
// (127.0.0.x: each agent binds its own local address, so the server sees each as a client).

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const owner = await app.registry.people.create(acme.id, systemActor, { email: 'owner@acme.test', role: 'super-admin' })
const PASSWORD = 'correct horse battery staple'
await setPassword(app, 'acme', 'owner@acme.test', PASSWORD)
await app.listen({ port: 0, host: '127.0.0.1' })
const { port } = app.server.address() as { port: number }
const HOST = 'acme.localhost'

/** A client on one loopback address with the sign-in form's cookie and CSRF token. */
async function client (address: string) {
  const dispatcher = new Agent({ localAddress: address, connections: 128 })
  t.teardown(() => dispatcher.close())
  const send = async (method: 'GET' | 'POST', path: string, headers: Record<string, string> = {}, body?: string) => {
    const res = await request(`http://127.0.0.1:${port}${path}`, { method, dispatcher, headers: { host: HOST, ...headers }, body })
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
  }
  const form = await send('GET', '/sign-in')
  const cookie = [form.headers['set-cookie']].flat().filter(Boolean).map(c => String(c).split(';')[0]).join('; ')
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]
  return {
    send,
    signIn: (email: string, password: string) => send('POST', '/sign-in',
      { cookie, 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ email, password, _csrf: csrf }).toString())
  }
}

const evaluated = async (reason?: string) => Number((await app.db('audit_log')
  .where({ workspace_id: acme.id, action: 'auth.sign_in', outcome: 'failure' })
  .modify(q => { if (reason) q.whereRaw("details->>'reason' = ?", [reason]) })
  .count({ n: '*' }))[0].n)

t.test('60 wrong passwords at once: only the limit is checked, the rest are refused before scrypt', async t => {
  const attacker = await client('127.0.0.2')
  const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => attacker.signIn('owner@acme.test', `guess number ${i}`)))
  const statuses = answers.map(a => a.status)
  t.equal(statuses.filter(s => s === 401).length, MAX_FAILED_SIGN_INS, `exactly ${MAX_FAILED_SIGN_INS} passwords were checked`)
  t.equal(statuses.filter(s => s === 429).length, 60 - MAX_FAILED_SIGN_INS, 'every other attempt was refused')
  t.equal(await evaluated('bad_password'), MAX_FAILED_SIGN_INS, 'the audit log agrees')

  const refused = answers.find(a => a.status === 429)!
  t.match(refused.body, /Too many failed attempts from your network/)
  t.match(refused.body, /one-time sign-in link/)
  t.match(refused.body, /your IT admin can send you one from your page in Stocktake/, 'and who can make one (Send sign-in link on their page)')
  t.ok(Number(refused.headers['retry-after']) > 0 && Number(refused.headers['retry-after']) <= 15 * 60, 'Retry-After in seconds')

  const right = await attacker.signIn('owner@acme.test', PASSWORD)
  t.equal(right.status, 429, 'from that address even the right password waits')

  const ownerLaptop = await client('127.0.0.3')
  const owners = await ownerLaptop.signIn('owner@acme.test', PASSWORD)
  t.equal(owners.status, 303, 'the owner, from another address, signs in: strangers cannot lock them out')
  t.match(String(owners.headers['set-cookie']), /stocktake_session=/)

  const token = await issueSignInLink(app.db, acme.id, owner.id)
  const link = await attacker.send('GET', `/sign-in/link/${token}`)
  t.equal(link.status, 303, 'a one-time link works even from the throttled address')
  t.match(String(link.headers['set-cookie']), /stocktake_session=/)
})

t.test('one address guessing across many accounts is stopped by the per-address limit', async t => {
  const sprayer = await client('127.0.0.4')
  const before = await evaluated()
  const answers = await Promise.all(Array.from({ length: 80 }, (_, i) => sprayer.signIn(`person${i}@acme.test`, 'Summer2024!')))
  t.equal(answers.filter(a => a.status === 401).length, MAX_FAILED_SIGN_INS_PER_ADDRESS, `exactly ${MAX_FAILED_SIGN_INS_PER_ADDRESS} were checked`)
  t.equal(await evaluated() - before, MAX_FAILED_SIGN_INS_PER_ADDRESS)
  t.equal((await sprayer.signIn('owner@acme.test', PASSWORD)).status, 429, 'that address waits, whoever it tries')
  t.equal((await (await client('127.0.0.5')).signIn('owner@acme.test', PASSWORD)).status, 303, 'other addresses do not')
})

t.test('successful sign-ins do not use up the limit', async t => {
  const office = await client('127.0.0.6')
  for (let i = 0; i < MAX_FAILED_SIGN_INS * 2; i++) t.equal((await office.signIn('owner@acme.test', PASSWORD)).status, 303)
  t.equal((await office.signIn('owner@acme.test', 'a wrong one')).status, 401, 'a wrong password is still checked')
})
