// Jamf Pro (device management): looks up Macs, iPhones and iPads by serial, and imports every
// computer and mobile device into the hardware register through the core's device importer.
import { defineConnector, latestCheckIn, pageMessages, testResultFromError, type DeviceRecord } from '../../core/sdk.ts'
import { checkpointAfter, resumePoint } from './checkpoint.ts'
import { jamfClient } from './client.ts'
import { COLLECTIONS } from './collections.ts'
import type { JamfSettings } from './settings.ts'

export default defineConnector<JamfSettings>({
  async test (ctx) {
    try {
      const client = jamfClient(ctx)
      const counts: string[] = []
      for (const collection of COLLECTIONS) {
        const { totalCount } = await client.search(collection, { pageSize: 1 })
        counts.push(`${totalCount.toLocaleString('en')} ${collection.noun}`)
      }
      return { ok: true, message: `Connected to Jamf Pro: ${counts.join(' and ')}.` }
    } catch (err) {
      return testResultFromError(err, 'Jamf Pro')
    }
  },

  // One upsert per Jamf page (the fleet is never held in memory), then a checkpoint to resume from.
  // Devices without a serial are passed on: the core counts them as skipped.
  async * sync (ctx, { checkpoint }) {
    const client = jamfClient(ctx)
    const start = resumePoint(checkpoint)
    for (let c = start.collection; c < COLLECTIONS.length; c++) {
      const pages = client.pages(COLLECTIONS[c], c === start.collection ? start.from : null)
      yield * pageMessages(pages, { model: 'device', map: COLLECTIONS[c].map, checkpoint: resume => checkpointAfter(c, resume) })
    }
  },

  // Every record of the serial in both inventories (a re-enrolled device, a repaired Mac, a serial on
  // a computer and a mobile device): the one that checked in last is the device as it is now.
  async lookup (ctx, { value }) {
    const serial = value.trim()
    if (serial === '') return null
    const client = jamfClient(ctx)
    const found: DeviceRecord[] = []
    for (const collection of COLLECTIONS) {
      for (const raw of await client.findBySerial(collection, serial)) {
        const mapped = collection.map(raw)
        if (mapped.ok) found.push(mapped.record)
        else ctx.log.warn({ externalId: mapped.externalId, reason: mapped.reason }, 'Jamf Pro answered a serial lookup with a malformed record')
      }
    }
    return latestCheckIn(found)
  }
})
