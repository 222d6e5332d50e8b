// What app.mail.send accepts: checked before anything is queued, each problem naming its field and
// rule (a ValidationError, 422 in every caller's shape). Attachments travel as base64 text.
import type { EmailMessage } from '../sdk/contract.ts'
import { ValidationError } from '../register/errors.ts'
import { email, objectSchema, validator } from '../register/validate.ts'

const MAX_RECIPIENTS = 50
const MAX_ATTACHMENTS = 10
/** 10 MB of attachments once decoded: what most relays accept (Microsoft 365: 35 MB, Gmail: 25 MB), with room. */
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

const oneLine = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength, pattern: '^[^\\r\\n]*$' })

const checkMessage = validator<EmailMessage>(objectSchema({
  to: { type: 'array', minItems: 1, maxItems: MAX_RECIPIENTS, items: email },
  cc: { type: 'array', maxItems: MAX_RECIPIENTS, items: email },
  replyTo: email,
  subject: oneLine(255),
  text: { type: 'string', minLength: 1, maxLength: 1_000_000 },
  html: { type: 'string', maxLength: 2_000_000 },
  attachments: {
    type: 'array',
    maxItems: MAX_ATTACHMENTS,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['filename', 'contentType', 'content'],
      properties: {
        filename: { ...oneLine(255), pattern: '^[^\\r\\n/\\\\]*$' },
        contentType: { type: 'string', pattern: '^[a-z]+/[a-z0-9][a-z0-9.+-]*$', maxLength: 127 },
        content: { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$' }
      }
    }
  }
}, ['to', 'subject', 'text']))

const PATTERN_MESSAGES: Record<string, string> = {
  subject: 'must be one line (no line breaks)',
  'attachments.*.filename': 'must be one line, without / or \\',
  'attachments.*.contentType': 'must be a media type such as application/pdf',
  'attachments.*.content': 'must be the file as base64 (or a Buffer)'
}

/** The message with every attachment as base64 text, or a ValidationError listing what is wrong. */
export function checkedMessage (input: EmailMessage): EmailMessage {
  const attachments = input.attachments?.map(a => ({
    filename: a.filename,
    contentType: a.contentType,
    content: Buffer.isBuffer(a.content) ? a.content.toString('base64') : a.encoding === 'utf8' ? Buffer.from(a.content, 'utf8').toString('base64') : a.content
  }))
  let message: EmailMessage
  try {
    message = checkMessage({ ...input, attachments })
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    throw new ValidationError(err.errors.map(e => e.rule === 'pattern' && PATTERN_MESSAGES[e.field.replace(/\.\d+\./, '.*.')] !== undefined
      ? { ...e, message: PATTERN_MESSAGES[e.field.replace(/\.\d+\./, '.*.')] }
      : e))
  }
  const bytes = (message.attachments ?? []).reduce((sum, a) => sum + Buffer.byteLength(String(a.content), 'base64'), 0)
  if (bytes > MAX_ATTACHMENT_BYTES) throw ValidationError.of('attachments', 'maxSize', `must be at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB together (these are ${(bytes / 1024 / 1024).toFixed(1)} MB)`)
  return message
}
