// A notification as an Adaptive Card 1.5 (the highest version Teams renders): the title, the text,
// "Open in Stocktake" to the record, and the event in small print. Text goes in RichTextBlock
// TextRuns, which Teams shows as written (a TextBlock would read it as Markdown), so nothing a
// user typed needs escaping.
import type { Notification } from '../../core/sdk.ts'
import type { TeamsMessage } from './client.ts'

/** Teams refuses a message over about 28 KB; these keep a card far below it. */
const TITLE_MAX = 150
const TEXT_MAX = 2000
const URL_MAX = 2000

function shorten (text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

function textRun (text: string, style: Record<string, unknown> = {}): object {
  return { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text, ...style }] }
}

/** The message a Workflows trigger takes, around one card. */
export function cardMessage (body: object[], actions: object[] = []): TeamsMessage {
  const content: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    body,
    msteams: { width: 'Full' }
  }
  if (actions.length > 0) content.actions = actions
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }] }
}

export function notificationMessage (notification: Notification): TeamsMessage {
  const title = notification.title.trim() || notification.event
  const text = notification.text.trim()
  const body = [textRun(shorten(title, TITLE_MAX), { size: 'Medium', weight: 'Bolder' })]
  // The core repeats the title as the text of an event without details: show it once.
  if (text !== '' && text !== title) body.push(textRun(shorten(text, TEXT_MAX)))
  body.push(textRun(`Stocktake · ${notification.event}`, { size: 'Small', isSubtle: true }))
  const url = notification.url
  const link = url !== undefined && url.length <= URL_MAX && /^https?:\/\//.test(url)
  return cardMessage(body, link ? [{ type: 'Action.OpenUrl', title: 'Open in Stocktake', url }] : [])
}

export const TEST_MESSAGE: TeamsMessage = cardMessage([textRun('Stocktake test message — your Teams alerts are connected.')])
