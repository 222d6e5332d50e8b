// Microsoft Intune (Device management): tests the app registration, imports every managed device
// page by page, and looks one up by serial, through Microsoft Graph v1.0.
import { defineConnector, latestCheckIn, pageMessages, testResultFromError } from '../../core/sdk.ts'
import { devicePages, devicesWithSerial, readOneDevice } from './client.ts'
import { isPlaceholderSerial, mapDevice } from './map.ts'
import type { IntuneSettings } from './settings.ts'

export default defineConnector<IntuneSettings>({
  async test (ctx) {
    try {
      const found = await readOneDevice(ctx)
      return {
        ok: true,
        message: found > 0
          ? 'Connected: the app signed in to Microsoft Entra and can read Intune\'s managed devices.'
          : 'Connected: the app signed in to Microsoft Entra and can read Intune\'s managed devices (none are enrolled yet).'
      }
    } catch (err) {
      return testResultFromError(err, 'Microsoft Intune')
    }
  },

  // One upsert per Graph page, never the whole fleet; a checkpoint after each page that has a next
  // one. Devices without a serial are passed on (the core counts them as skipped).
  async * sync (ctx, { checkpoint }) {
    const resumeFrom = typeof checkpoint?.nextLink === 'string' ? { link: checkpoint.nextLink } : null
    yield * pageMessages(devicePages(ctx, resumeFrom), {
      model: 'device',
      map: mapDevice,
      checkpoint: resume => resume !== null && 'link' in resume ? { nextLink: resume.link } : null
    })
  },

  async lookup (ctx, { by, value }) {
    const serial = value.trim()
    if (by !== 'serial' || isPlaceholderSerial(serial)) return null
    const matches = (await devicesWithSerial(ctx, serial)).flatMap(raw => {
      const mapped = mapDevice(raw)
      return 'record' in mapped && mapped.record.serial !== null ? [mapped.record] : []
    })
    // A device enrolled more than once has a record per enrolment: the one that checked in last is current.
    return latestCheckIn(matches)
  }
})
