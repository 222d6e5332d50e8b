// Microsoft Teams (Communication): posts Stocktake events to a channel through a Workflows webhook.
import { defineConnector, testResultFromError } from '../../core/sdk.ts'
import { postToWorkflow, type TeamsSettings } from './client.ts'
import { notificationMessage, TEST_MESSAGE } from './message.ts'

export default defineConnector<TeamsSettings>({
  async test (ctx) {
    try {
      await postToWorkflow(ctx, TEST_MESSAGE)
      return { ok: true, message: 'Teams accepted the test message: check the channel (a workflow can take a minute to post).' }
    } catch (err) {
      return testResultFromError(err, 'Microsoft Teams')
    }
  },

  async notify (ctx, notification) {
    if (ctx.settings.events !== undefined && !ctx.settings.events.includes(notification.event)) return
    await postToWorkflow(ctx, notificationMessage(notification))
  }
})
