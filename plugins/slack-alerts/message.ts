// A notification as a Slack Block Kit message: a header with the title, the text, a button to
// the record in Stocktake, and the event in small print. `text` is the fallback Slack shows in
// notifications and to clients without blocks.
import type { Notification } from '../../core/sdk.ts'
import type { SlackMessage } from './client.ts'

/** Slack's limits: header text 150 characters, section text 3000, button URL 3000. */
const HEADER_MAX = 150
const SECTION_MAX = 3000

/** mrkdwn treats &, < and > as control characters. */
export function escapeMrkdwn (text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

function truncate (text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

export function notificationMessage (notification: Notification): SlackMessage {
  const title = notification.title.trim() || notification.event
  const text = notification.text.trim()
  const blocks: object[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(title, HEADER_MAX), emoji: false } }]
  if (text !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(text), SECTION_MAX) } })
  if (notification.url !== undefined && notification.url.length <= 3000) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Stocktake' }, url: notification.url }]
    })
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Stocktake · ${notification.event}` }] })
  return { text: escapeMrkdwn(text === '' ? title : `${title}: ${text}`), blocks }
}

export const TEST_MESSAGE: SlackMessage = { text: 'Stocktake test message — your Slack alerts are connected.' }
