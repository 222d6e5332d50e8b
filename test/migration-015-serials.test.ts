// Migration 015 on a register that already holds serials differing only in case or Unicode form:
// nothing is lost, the index is built, and the admin is told what to fix.
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { ValidationError } from '../core/register/index.ts'
import { systemActor } from '../core/audit/index.ts'
import * as migration from '../migrations/015_serials_ignore_case.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const globex = await workspace('globex')

t.test('case-variant serials already stored: kept, renamed after the oldest, audited and printed', async t => {
  await migration.down(app.db) // the register as it was: serials unique as typed
  let migrated = false
  t.teardown(async () => { if (!migrated) await migration.up(app.db) })
  await app.db.raw(`
    INSERT INTO hardware (workspace_id, asset_tag, serial, name, created_at) VALUES
      (:acme, 'A-1', 'C02XYZ', 'First Mac', now() - interval '3 days'),
      (:acme, 'A-2', 'c02xyz', 'Same Mac, small letters', now() - interval '2 days'),
      (:acme, 'A-3', 'C02xyz', 'Same Mac again', now() - interval '1 day'),
      (:acme, 'A-4', 'CAF' || U&'\\00C9' || '-1', 'NFC', now() - interval '2 days'),
      (:acme, 'A-5', 'caf' || U&'e\\0301' || '-1', 'NFD, small letters', now() - interval '1 day'),
      (:acme, 'A-6', '  SPACED-1 ', 'Spaces', now()),
      (:acme, 'A-7', 'dup', 'dup', now() - interval '2 days'),
      (:acme, 'A-8', 'DUP', 'DUP', now() - interval '1 day'),
      (:acme, 'A-9', 'dup (duplicate 2)', 'Taken name', now()),
      (:globex, 'G-1', 'c02xyz', 'Another workspace', now())`, { acme: acme.id, globex: globex.id })
  const before = await app.db('hardware').count({ n: '*' }).first()

  const warnings: string[] = []
  const warn = console.warn
  console.warn = (...args: unknown[]) => { warnings.push(args.join(' ')) }
  try {
    await migration.up(app.db)
    migrated = true
  } finally {
    console.warn = warn
  }

  t.same(await app.db('hardware').count({ n: '*' }).first(), before, 'no row lost')
  const serials = Object.fromEntries((await app.db('hardware').select('asset_tag', 'serial')).map(r => [r.asset_tag, r.serial]))
  const a8 = (await app.db('hardware').where({ workspace_id: acme.id, asset_tag: 'A-8' }).first()).id
  t.match(serials, {
    'A-1': 'C02XYZ',
    'A-2': 'c02xyz (duplicate 2)',
    'A-3': 'C02xyz (duplicate 3)',
    'A-4': 'CAF\u00c9-1',
    'A-5': 'caf\u00e9-1 (duplicate 2)',
    'A-6': 'SPACED-1',
    'A-7': 'dup',
    'A-8': `DUP (duplicate ${a8})`,
    'A-9': 'dup (duplicate 2)',
    'G-1': 'c02xyz'
  }, 'the oldest keeps its serial; a renamed serial never takes one in use')

  const trail = await app.db('audit_log').where({ workspace_id: acme.id, target_type: 'hardware', actor_label: 'Stocktake upgrade' }).orderBy('target_label')
  t.same(trail.map(e => e.target_label), ['A-2 Same Mac, small letters', 'A-3 Same Mac again', 'A-5 NFD, small letters', 'A-6 Spaces', 'A-8 DUP'])
  t.match(trail[0], {
    action: 'hardware.updated',
    actor_type: 'system',
    changes: { serial: { old: 'c02xyz', new: 'c02xyz (duplicate 2)' } },
    details: { reason: /unique ignoring case, and A-1 has the same one: correct the serial of one of them, or retire the duplicate/ }
  })
  t.match(trail[3], { changes: { serial: { old: '  SPACED-1 ', new: 'SPACED-1' } }, details: { reason: /without surrounding spaces/ } })
  t.match(warnings.join('\n'), /4 hardware records had serials of an older one[\s\S]*acme: A-2 "c02xyz" -> "c02xyz \(duplicate 2\)" \(same serial as A-1\)/)

  const err = await app.registry.hardware.create(acme.id, systemActor, { serial: 'c02XYZ', name: 'One more' }).catch(e => e)
  t.ok(err instanceof ValidationError && err.errors[0].field === 'serial' && err.errors[0].rule === 'unique', 'from now on the index refuses case variants')
})
