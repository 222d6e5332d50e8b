// Slack (Communication): posts Stocktake events to a channel through an incoming webhook.
import { defineConnector, testResultFromError } from '../../core/sdk.ts'
import { postToWebhook, type SlackSettings } from './client.ts'
import { notificationMessage, TEST_MESSAGE } from './message.ts'

export default defineConnector<SlackSettings>({
  async test (ctx) {
    try {
      await postToWebhook(ctx, TEST_MESSAGE)
      return { ok: true, message: 'Slack accepted the test message: check the channel.' }
    } catch (err) {
      return testResultFromError(err, 'Slack')
    }
  },

  async notify (ctx, notification) {
    if (ctx.settings.events !== undefined && !ctx.settings.events.includes(notification.event)) return
    await postToWebhook(ctx, notificationMessage(notification))
  }
})
