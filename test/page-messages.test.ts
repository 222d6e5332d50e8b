// pageMessages: a vendor's pages (read from a real local server) as a sync's messages.
import t from 'tap'
import { pageMessages, type Checkpoint, type DeviceRecord, type SyncMessage } from '../core/sdk.ts'
import { client, json, vendor } from './helpers/vendor-server.ts'

interface Raw { id: string, serial: string | null }
const fleet: Raw[] = [{ id: 'a', serial: 'S-A' }, { id: 'b', serial: null }, { id: 'c', serial: 'S-C' }, { id: 'd', serial: null }, { id: 'e', serial: 'S-E' }]
const map = (raw: Raw): { record: DeviceRecord } | { externalId: string, reason: string } =>
  raw.serial === null ? { externalId: raw.id, reason: 'no serial at the vendor' } : { record: { externalId: raw.id, serial: raw.serial } }

async function all (messages: AsyncIterable<SyncMessage>): Promise<SyncMessage[]> {
  const out: SyncMessage[] = []
  for await (const message of messages) out.push(message)
  return out
}

t.test('per page: one upsert, the skips with their reasons, then the checkpoint; none after the last page', async t => {
  const v = await vendor(t, (hit, res) => {
    const at = Number(hit.query.get('offset'))
    json(res, 200, { data: fleet.slice(at, at + 2), total: fleet.length })
  })
  const http = client(v)
  const scheme = { type: 'offset', mode: 'offset', param: 'offset', pageSize: 2, items: (b: any) => b.data as Raw[], total: (b: any) => b.total as number } as const
  const messages = await all(pageMessages(http.pages({ url: `${v.base}/devices` }, scheme), { model: 'device', map }))
  t.same(messages, [
    { type: 'upsert', model: 'device', records: [{ externalId: 'a', serial: 'S-A' }] },
    { type: 'skip', externalId: 'b', reason: 'no serial at the vendor' },
    { type: 'checkpoint', value: { at: 2, size: 2 } },
    { type: 'upsert', model: 'device', records: [{ externalId: 'c', serial: 'S-C' }] },
    { type: 'skip', externalId: 'd', reason: 'no serial at the vendor' },
    { type: 'checkpoint', value: { at: 4, size: 2 } },
    { type: 'upsert', model: 'device', records: [{ externalId: 'e', serial: 'S-E' }] }
  ])

  const read: number[] = []
  const named: Array<Checkpoint | null> = []
  const own = await all(pageMessages(http.pages({ url: `${v.base}/devices` }, scheme, { resumeFrom: { at: 2, size: 2 } }), {
    model: 'device',
    map: raw => { read.push(v.hits.length); return map(raw) },
    checkpoint: resume => { const value = resume === null ? { inventory: 'next' } : { inventory: 'devices', ...resume }; named.push(value); return value }
  }))
  t.same(own.filter(m => m.type === 'checkpoint'), [
    { type: 'checkpoint', value: { inventory: 'devices', at: 4, size: 2 } },
    { type: 'checkpoint', value: { inventory: 'next' } }
  ], 'a checkpoint of the plugin\'s own shape, after the last page too when it says so')
  t.same(read, [4, 4, 5], 'the next page is read only when the sync asks for more')
})

t.test('a page of skips only yields no upsert; items that are records already need no map', async t => {
  const v = await vendor(t, (hit, res) => json(res, 200, hit.query.get('cursor') === null
    ? { items: [{ id: 'x', serial: null }], next: 'p2' }
    : { items: [{ externalId: 'y', serial: 'S-Y' }], next: null }))
  const http = client(v)
  const first = await all(pageMessages(http.pages<Raw>({ url: `${v.base}/x` }, { type: 'cursor', param: 'cursor', items: b => b.items.slice(0, 1), next: () => null }), { model: 'device', map }))
  t.same(first, [{ type: 'skip', externalId: 'x', reason: 'no serial at the vendor' }])
  const records = await all(pageMessages(http.pages<DeviceRecord>({ url: `${v.base}/x` }, { type: 'cursor', param: 'cursor', items: b => b.items, next: b => b.next }, { resumeFrom: { cursor: 'p2' } }), { model: 'device' }))
  t.same(records, [{ type: 'upsert', model: 'device', records: [{ externalId: 'y', serial: 'S-Y' }] }])
})
