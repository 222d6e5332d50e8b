import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { blankValues, fieldsets, formFrame, readValues, recordValues, saveForm, type FormPage as FormPageState } from '../../admin/form.ts'
import { postedVersion } from '../hardware/access.ts'
import { findSoftware, type SoftwareView } from './queries.ts'
import { createInput, patchInput, SOFTWARE_FORM, type SoftwareValues } from './form.ts'

type FormRequest = FastifyRequest<{ Body: Record<string, unknown> | undefined }>
export type IdRequest = FastifyRequest<{ Params: { id: string }, Querystring: Record<string, unknown>, Body: Record<string, unknown> | undefined }>

type FormPage = FormPageState<keyof SoftwareValues, SoftwareView>

async function renderForm (request: FastifyRequest, reply: FastifyReply, page: FormPage) {
  const current = page.current
  return reply.code(page.status ?? 200).view('pages/software/form', {
    ...formFrame('/software', 'software', 'Add software', page),
    title: current ? `Edit ${current.name}` : 'Add software',
    software: current ?? null,
    groups: fieldsets(SOFTWARE_FORM, { values: page.values, errors: page.errors, saved: page.saved, hints: { cost_per_seat: `A month, in ${request.workspace.currency} (the workspace currency, set in Settings), e.g. 12.50.` } })
  })
}

export async function renderNew (request: FastifyRequest, reply: FastifyReply) {
  return renderForm(request, reply, { values: blankValues(SOFTWARE_FORM, { seats_purchased: '0' }) })
}

export async function createSoftware (app: FastifyInstance, request: FormRequest, reply: FastifyReply) {
  const values = readValues(SOFTWARE_FORM, request.body)
  return saveForm(request, reply, SOFTWARE_FORM, {
    save: () => app.registry.software.create(request.workspace.id, request.actor(), createInput(values)),
    render: refused => renderForm(request, reply, { values, ...refused }),
    done: software => ({ message: `Added ${software.name}.`, url: `/software/${software.id}` })
  })
}

export async function renderEdit (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  const software = await findSoftware(app.db, request.workspace.id, request.params.id)
  return renderForm(request, reply, { values: recordValues(SOFTWARE_FORM, software), current: software })
}

/** Saves an edit at the version the form was opened with; a stale one comes back with the saved values shown. */
export async function updateSoftware (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  const workspaceId = request.workspace.id
  const current = await findSoftware(app.db, workspaceId, request.params.id)
  const values = readValues(SOFTWARE_FORM, request.body)
  const version = postedVersion(request.body)
  return saveForm(request, reply, SOFTWARE_FORM, {
    save: () => app.registry.software.update(workspaceId, request.actor(), current.id, patchInput(values), { expectedVersion: version }),
    latest: () => findSoftware(app.db, workspaceId, current.id),
    render: async refused => {
      const latest = refused.latest
      if (!latest) return renderForm(request, reply, { values, current, version, ...refused })
      return renderForm(request, reply, { status: 409, values, current: latest, saved: recordValues(SOFTWARE_FORM, latest), version: latest.version, conflict: true })
    },
    done: software => software.version === (version ?? current.version)
      ? { tone: 'info', message: `Nothing to save: ${software.name} is unchanged.`, url: `/software/${software.id}` }
      : { message: `Saved ${software.name}.`, url: `/software/${software.id}` }
  })
}
