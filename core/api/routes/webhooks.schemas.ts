import { SUBSCRIBABLE_EVENTS } from '../../webhooks/index.ts'
import { MAX_LIMIT } from '../pagination.ts'
import { apiRoute, body, idParams, listOf, ref } from '../schemas.ts'

const tags = ['Webhooks']
const abilities = ['webhooks:manage'] as const

const events = {
  type: 'array',
  minItems: 1,
  maxItems: SUBSCRIBABLE_EVENTS.length,
  uniqueItems: true,
  items: { type: 'string', enum: [...SUBSCRIBABLE_EVENTS] },
  description: 'The event types to receive, or `["*"]` for every event.'
}
const url = { type: 'string', minLength: 1, maxLength: 2000, description: 'An http or https URL without credentials. A host that is, or resolves to, a loopback, private, link-local or other special-purpose address is refused (422, rule `address`) when the subscription is created or its URL changed, and again when sending (unless the operator sets STOCKTAKE_WEBHOOK_ALLOW_PRIVATE=1).' }
const active = { type: 'boolean', description: 'Sends only while true (default true).' }

const deliveryParams = {
  type: 'object',
  properties: { id: { type: 'string', maxLength: 100 }, deliveryId: { type: 'string', maxLength: 100 } },
  required: ['id', 'deliveryId'],
  additionalProperties: false
}

const created = {
  type: 'object',
  description: 'The subscription and its signing secret, shown only in this answer.',
  allOf: [ref('Webhook')],
  properties: { secret: { type: 'string', description: 'The signing secret (Standard Webhooks form, whsec_ + base64). Keep it: it is never shown again.' } },
  required: ['secret']
}

export const listWebhooks = apiRoute({ summary: 'List webhook subscriptions', tags, abilities, response: { 200: listOf('Webhook') } })

export const getWebhook = apiRoute({ summary: 'Get a webhook subscription', tags, abilities, params: idParams, response: { 200: ref('Webhook') } })

export const createWebhook = apiRoute({
  summary: 'Subscribe to events',
  description: 'Answers 201 with the subscription and its `secret`, which is shown only here.',
  tags,
  abilities,
  body: body({ url, events, active }, ['url', 'events']),
  response: { 201: created }
})

export const updateWebhook = apiRoute({
  summary: 'Update a webhook subscription',
  description: 'Changes only the fields given. Switching a subscription on again clears `disabled_reason`.',
  tags,
  abilities,
  params: idParams,
  body: body({ url, events, active }),
  response: { 200: ref('Webhook') }
})

export const deleteWebhook = apiRoute({
  summary: 'Delete a webhook subscription', description: 'Its delivery log goes with it.', tags, abilities, params: idParams, response: { 204: { type: 'null' } }
})

export const testWebhook = apiRoute({
  summary: 'Send a test event',
  description: 'Queues a synthetic `test.ping` to this subscription (even if it is switched off) and answers with its delivery.',
  tags,
  abilities,
  params: idParams,
  response: { 202: ref('WebhookDelivery') }
})

export const listDeliveries = apiRoute({
  summary: 'List the deliveries of a subscription',
  description: 'Newest first: event, attempts, last status code, duration and response excerpt.',
  tags,
  abilities,
  params: idParams,
  querystring: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] },
      limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 50 },
      cursor: { type: 'string', minLength: 1, maxLength: 200, description: 'The `next` of the previous page.' }
    },
    additionalProperties: false
  },
  response: { 200: listOf('WebhookDelivery') }
})

export const getDelivery = apiRoute({ summary: 'Get a delivery', tags, abilities, params: deliveryParams, response: { 200: ref('WebhookDelivery') } })

export const redeliver = apiRoute({
  summary: 'Redeliver',
  description: 'Sends the delivery again with the same `webhook-id`, as a fresh series of attempts (after any earlier pending event of the same record).',
  tags,
  abilities,
  params: deliveryParams,
  response: { 202: ref('WebhookDelivery') }
})
