import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { DeliveryPage, SubscriptionInput } from '../../webhooks/index.ts'
import { actorOf, workspaceOf } from '../auth.ts'
import {
  createWebhook, deleteWebhook, getDelivery, getWebhook, listDeliveries, listWebhooks, redeliver, testWebhook, updateWebhook
} from './webhooks.schemas.ts'

type Id = { Params: { id: string } }
type DeliveryId = { Params: { id: string, deliveryId: string } }

export default async function webhookRoutes (app: FastifyInstance) {
  const webhooks = app.webhooks

  // A workspace has a handful of subscriptions: one page holds them all.
  app.get('/webhooks', listWebhooks, async (request) => ({ data: await webhooks.list(workspaceOf(request)), next: null }))

  app.get('/webhooks/:id', getWebhook, async (request: FastifyRequest<Id>) => await webhooks.get(workspaceOf(request), request.params.id))

  app.post('/webhooks', createWebhook, async (request: FastifyRequest<{ Body: SubscriptionInput }>, reply) => {
    const { subscription, secret } = await webhooks.create(workspaceOf(request), actorOf(request), request.body)
    return reply.code(201).header('location', `/api/webhooks/${subscription.id}`).send({ ...subscription, secret })
  })

  app.patch('/webhooks/:id', updateWebhook, async (request: FastifyRequest<Id & { Body: SubscriptionInput }>) =>
    await webhooks.update(workspaceOf(request), actorOf(request), request.params.id, request.body))

  app.delete('/webhooks/:id', deleteWebhook, async (request: FastifyRequest<Id>, reply) => {
    await webhooks.remove(workspaceOf(request), actorOf(request), request.params.id)
    return reply.code(204).send()
  })

  app.post('/webhooks/:id/test', testWebhook, async (request: FastifyRequest<Id>, reply) =>
    reply.code(202).send(await webhooks.ping(workspaceOf(request), actorOf(request), request.params.id)))

  app.get('/webhooks/:id/deliveries', listDeliveries, async (request: FastifyRequest<Id & { Querystring: DeliveryPage }>) =>
    await webhooks.deliveries(workspaceOf(request), request.params.id, request.query))

  app.get('/webhooks/:id/deliveries/:deliveryId', getDelivery, async (request: FastifyRequest<DeliveryId>) =>
    await webhooks.delivery(workspaceOf(request), request.params.id, request.params.deliveryId))

  app.post('/webhooks/:id/deliveries/:deliveryId/redeliver', redeliver, async (request: FastifyRequest<DeliveryId>, reply) =>
    reply.code(202).send(await webhooks.redeliver(workspaceOf(request), actorOf(request), request.params.id, request.params.deliveryId)))
}
