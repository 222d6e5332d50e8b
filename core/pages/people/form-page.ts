import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { blankValues, fieldsets, formFrame, readValues, recordValues, saveForm, type FormPage as FormPageState, type Refused } from '../../admin/form.ts'
import { OWNER_ROLES } from '../../auth/roles.ts'
import { displayName } from '../../auth/users.ts'
import type { Person } from '../../register/index.ts'
import { postedVersion } from '../hardware/access.ts'
import { activePeople } from '../hardware/queries.ts'
import { personFor, type IdRequest } from './access.ts'
import { chooseManager, createInput, FORM_STATUSES, patchInput, PERSON_FORM, type ManagerChoice, type PersonValues } from './form.ts'
import { departments } from './list.ts'

/** Offered in the manager field before anything is typed; typing searches everyone. */
export const MANAGERS_SUGGESTED = 50

type FormRequest = FastifyRequest<{ Body: Record<string, unknown> | undefined }>

type FormPage = FormPageState<keyof PersonValues, Person>

/** Super admins give roles (as in Settings); other admins add employees. */
function givesRoles (request: FastifyRequest): boolean {
  return Boolean(request.user && OWNER_ROLES.includes(request.user.role))
}

async function managerOf (app: FastifyInstance, workspaceId: string, person: Person): Promise<{ id: string, email: string } | null> {
  return person.manager_id ? await app.registry.people.get(workspaceId, person.manager_id) : null
}

function valuesOf (person: Person, manager: { email: string } | null): PersonValues {
  return { ...recordValues(PERSON_FORM, person), manager: manager?.email ?? '' }
}

async function renderForm (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, page: FormPage) {
  const workspaceId = request.workspace.id
  const current = page.current
  const [departmentChoices, managers] = await Promise.all([departments(app.db, workspaceId), activePeople(app.db, workspaceId, '', MANAGERS_SUGGESTED)])
  const owner = givesRoles(request)
  const name = current && displayName(current)
  return reply.code(page.status ?? 200).view('pages/people/form', {
    title: current ? `Edit ${name}` : 'Add a person',
    person: current ? { ...current, name } : null,
    ...formFrame('/people', 'person', 'Add person', page),
    groups: fieldsets(PERSON_FORM, {
      // A disabled select posts nothing: a refused edit still shows the role the person has.
      values: current ? { ...page.values, role: current.role } : page.values,
      errors: page.errors,
      saved: page.saved,
      options: { status: current?.status === 'offboarded' ? [...FORM_STATUSES, 'offboarded'] : FORM_STATUSES },
      hidden: !current && !owner ? ['role'] : [],
      disabled: current ? ['role'] : [],
      hints: {
        role: current
          ? (owner ? 'Roles are changed in Settings.' : 'Only a super admin changes roles, in Settings.')
          : 'Employees see only their own hardware, seats and requests.'
      }
    }),
    departments: departmentChoices,
    managers
  })
}

/** A refused save as the form shows it; the page's own message about the manager wins over the register's. */
function refusal (refused: Refused<Person>, manager: ManagerChoice): Pick<FormPage, 'status' | 'errors' | 'problems'> {
  return { status: refused.status, errors: { ...refused.errors, ...('error' in manager ? { manager: manager.error } : {}) }, problems: refused.problems }
}

export async function renderNew (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
  return renderForm(app, request, reply, { values: blankValues(PERSON_FORM, { status: 'active', role: 'employee' }) })
}

export async function createPerson (app: FastifyInstance, request: FormRequest, reply: FastifyReply) {
  const workspaceId = request.workspace.id
  const values = readValues(PERSON_FORM, request.body)
  let manager: ManagerChoice = { id: null }
  return saveForm(request, reply, PERSON_FORM, {
    save: async () => {
      manager = await chooseManager(app.db, workspaceId, values.manager)
      return await app.registry.people.create(workspaceId, request.actor(), createInput(values, manager, givesRoles(request)))
    },
    render: refused => renderForm(app, request, reply, { values, ...refusal(refused, manager) }),
    done: person => ({ message: `Added ${displayName(person)}.`, url: `/people/${person.id}` })
  })
}

export async function renderEdit (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  const person = await personFor(app, request)
  return renderForm(app, request, reply, { values: valuesOf(person, await managerOf(app, request.workspace.id, person)), current: person })
}

/**
 * Saves an edit at the version the form was opened with. When someone else saved in between, the
 * form comes back with the admin's input, the saved values beside the fields that differ, and the
 * new version: saving again is then a deliberate overwrite.
 */
export async function updatePerson (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  const workspaceId = request.workspace.id
  const current = await personFor(app, request)
  const currentManager = await managerOf(app, workspaceId, current)
  const values = readValues(PERSON_FORM, request.body)
  const version = postedVersion(request.body)
  let manager: ManagerChoice = { id: current.manager_id }
  return saveForm(request, reply, PERSON_FORM, {
    save: async () => {
      manager = await chooseManager(app.db, workspaceId, values.manager, currentManager)
      return await app.registry.people.update(workspaceId, request.actor(), current.id, patchInput(values, manager, current), { expectedVersion: version })
    },
    latest: () => app.registry.people.get(workspaceId, current.id),
    render: async refused => {
      const latest = refused.latest
      if (!latest) return renderForm(app, request, reply, { values, current, version, ...refusal(refused, manager) })
      const saved = valuesOf(latest, await managerOf(app, workspaceId, latest))
      return renderForm(app, request, reply, { status: 409, values, current: latest, saved, version: latest.version, conflict: true })
    },
    done: person => person.version === (version ?? current.version)
      ? { tone: 'info', message: `Nothing to save: ${displayName(person)} is unchanged.`, url: `/people/${person.id}` }
      : { message: `Saved ${displayName(person)}.`, url: `/people/${person.id}` }
  })
}

/** htmx: the manager field's suggestions as the admin types a name or email. */
export async function managerOptions (app: FastifyInstance, request: FastifyRequest<{ Querystring: { manager?: string } }>, reply: FastifyReply) {
  const search = (request.query.manager ?? '').trim().slice(0, 100)
  const people = await activePeople(app.db, request.workspace.id, search, MANAGERS_SUGGESTED)
  return reply.view('partials/hardware/people-options', { people, fragment: true })
}
