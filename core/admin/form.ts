import type { FastifyReply, FastifyRequest } from 'fastify'
import { ConflictError, ValidationError, type FieldError } from '../register/index.ts'
import { redirectPage } from './errors.ts'
import { first } from './list/index.ts'

/**
 * A register form described once (the people and software forms): reading what was posted,
 * turning the register's field errors into sentences beside their fields, and the fieldsets that
 * views/partials/hardware/field.hbs renders, with labels, hints and aria-describedby.
 */
export interface FieldDef<N extends string> {
  name: N
  label: string
  type?: 'number' | 'date' | 'select' | 'textarea' | 'email'
  required?: boolean
  maxlength?: number
  hint?: string
  options?: readonly string[]
  optionLabel?: (value: string) => string
  /** A <datalist> id that suggests values. */
  list?: string
  /** The register's name for the field where the form's differs (manager → manager_id). */
  registerField?: string
}

export interface FormSpec<N extends string> {
  /** Prefix of the fields' ids: `person` gives `person-first-name`. */
  id: string
  groups: Array<{ legend: string, fields: Array<FieldDef<N>> }>
}

/** Text as typed, by field: a refused form comes back unchanged. */
export type FormValues<N extends string> = Record<N, string>
export type FormErrors<N extends string> = Partial<Record<N, string>>

function fieldsOf<N extends string> (spec: FormSpec<N>): Array<FieldDef<N>> {
  return spec.groups.flatMap(g => g.fields)
}

/** The form as posted (only its own fields; anything else in the body is ignored). */
export function readValues<N extends string> (spec: FormSpec<N>, body: Record<string, unknown> | undefined): FormValues<N> {
  return Object.fromEntries(fieldsOf(spec).map(f => [f.name, first(body?.[f.name])])) as FormValues<N>
}

/** The form filled with a record's fields of the same names ('' for null). */
export function recordValues<N extends string> (spec: FormSpec<N>, record: object): FormValues<N> {
  const row = record as Record<string, unknown>
  return Object.fromEntries(fieldsOf(spec).map(f => [f.name, row[f.name] == null ? '' : String(row[f.name])])) as FormValues<N>
}

export function blankValues<N extends string> (spec: FormSpec<N>, defaults: Partial<FormValues<N>> = {}): FormValues<N> {
  return { ...Object.fromEntries(fieldsOf(spec).map(f => [f.name, ''])) as FormValues<N>, ...defaults }
}

const WHOLE = /^\d{1,10}$/
const AMOUNT = /^\d{1,10}(\.\d{1,2})?$/

/**
 * A number field for the register: '' is null, a number is a number, anything else stays text so
 * that the register refuses it together with every other problem, in one answer.
 */
export function numberInput (value: string, kind: 'whole' | 'amount'): number | string | null {
  if (value === '') return null
  return (kind === 'whole' ? WHOLE : AMOUNT).test(value) ? Number(value) : value
}

/** The register's field errors as sentences beside the form's fields; the rest go above the form. */
export function fieldMessages<N extends string> (spec: FormSpec<N>, errors: FieldError[]): { fields: FormErrors<N>, form: string[] } {
  const byRegisterName = new Map(fieldsOf(spec).map(f => [f.registerField ?? f.name, f]))
  const fields: FormErrors<N> = {}
  const form: string[] = []
  for (const e of errors) {
    const def = byRegisterName.get(e.field)
    if (!def) {
      form.push(`${e.field.replace(/_/g, ' ').replace(/^./, c => c.toUpperCase())} ${e.message}.`)
      continue
    }
    const sentence = `${def.label} ${e.message}.`
    fields[def.name] = fields[def.name] ? `${fields[def.name]} ${sentence}` : sentence
  }
  return { fields, form }
}

/** One field as the partial renders it. */
export interface FieldView {
  name: string
  label: string
  id: string
  value: string
  type?: string
  required?: boolean
  maxlength?: number
  list?: string
  hint?: string
  error?: string
  /** After a refused edit: what is saved now, where it differs from the form. */
  saved?: string
  choices?: Array<{ value: string, label: string, selected: boolean }>
  disabled?: boolean
  /** The ids of the hint and messages that describe the field. */
  describedBy: string
}

export interface FormState<N extends string> {
  values: FormValues<N>
  errors?: FormErrors<N>
  /** The record as saved now, after a stale save: shown beside the fields that differ. */
  saved?: FormValues<N>
  /** Per-form hints and choices that replace the spec's (e.g. on create only). */
  hints?: Partial<Record<N, string>>
  options?: Partial<Record<N, readonly string[]>>
  disabled?: readonly N[]
  /** Fields this form leaves out. */
  hidden?: readonly N[]
}

/** The fieldsets to render, each field with its value, message, choices and hints. */
export function fieldsets<N extends string> (spec: FormSpec<N>, state: FormState<N>) {
  return spec.groups.map(group => ({
    legend: group.legend,
    fields: group.fields.filter(def => !state.hidden?.includes(def.name)).map((def): FieldView => {
      const value = state.values[def.name]
      const saved = state.saved?.[def.name]
      const options = state.options?.[def.name] ?? def.options
      const label = def.optionLabel ?? ((v: string) => v)
      const view: FieldView = {
        name: def.name,
        label: def.label,
        type: def.type,
        required: def.required,
        maxlength: def.maxlength,
        list: def.list,
        id: `${spec.id}-${def.name.replace(/_/g, '-')}`,
        value,
        hint: state.hints?.[def.name] ?? def.hint,
        error: state.errors?.[def.name],
        saved: saved !== undefined && saved !== value ? saved || '(empty)' : undefined,
        choices: options?.map(option => ({ value: option, label: label(option), selected: option === value })),
        disabled: state.disabled?.includes(def.name),
        describedBy: ''
      }
      const notes = { hint: view.hint, saved: view.saved, error: view.error }
      view.describedBy = Object.entries(notes).filter(([, v]) => v).map(([k]) => `${view.id}-${k}`).join(' ')
      return view
    })
  }))
}

/** A create or edit form page's state: what was typed, what is wrong, and the record being edited. */
export interface FormPage<N extends string, R extends { id: string, version: number }> {
  status?: number
  values: FormValues<N>
  errors?: FormErrors<N>
  /** Problems that belong to no single field. */
  problems?: string[]
  /** The record being edited (absent when creating). */
  current?: R
  /** After a stale save: the record as saved now, and the version the form then carries. */
  saved?: FormValues<N>
  version?: number
  conflict?: boolean
}

/**
 * What views/partials/record-form.hbs needs besides the fieldsets, for records at `path`
 * (`path/new`, `path/<id>/edit`): addresses, button, version and banners.
 */
export function formFrame<N extends string, R extends { id: string, version: number }> (path: string, noun: string, createLabel: string, page: FormPage<N, R>) {
  const current = page.current
  return {
    noun,
    action: current ? `${path}/${current.id}/edit` : `${path}/new`,
    editUrl: current ? `${path}/${current.id}/edit` : null,
    cancelUrl: current ? `${path}/${current.id}` : path,
    submitLabel: current ? 'Save changes' : createLabel,
    version: page.version ?? current?.version,
    invalid: Boolean(page.errors && Object.keys(page.errors).length > 0) || Boolean(page.problems?.length),
    problems: page.problems ?? [],
    conflict: page.conflict ?? false
  }
}

/** Problems found by the page before the register was asked (a manager nobody has), by form field. */
export class FormRefusal extends Error {
  constructor (readonly errors: Record<string, string>) {
    super(Object.values(errors).join(' '))
  }
}

export interface Refused<R> {
  status: 409 | 422
  errors?: Record<string, string>
  problems?: string[]
  /** After a stale save: the record as it is now. */
  latest?: R
}

export interface SaveFlow<R, L = R> {
  save: () => Promise<R>
  /** Reads the record again after a ConflictError (an edit). */
  latest?: () => Promise<L>
  render: (refused: Refused<L>) => Promise<unknown>
  done: (record: R) => { message: string, url: string, tone?: 'success' | 'info' }
}

/**
 * Saves a form through the register: a flash and a redirect when it worked; otherwise the form
 * again with why (422), or after a stale save the record as it is now (409), what was typed kept.
 */
export async function saveForm<N extends string, R, L = R> (request: FastifyRequest, reply: FastifyReply, spec: FormSpec<N>, flow: SaveFlow<R, L>) {
  let record: R
  try {
    record = await flow.save()
  } catch (err) {
    if (err instanceof FormRefusal) return flow.render({ status: 422, errors: err.errors })
    if (err instanceof ConflictError && flow.latest) return flow.render({ status: 409, latest: await flow.latest() })
    if (!(err instanceof ValidationError)) throw err
    const { fields, form } = fieldMessages(spec, err.errors)
    return flow.render({ status: 422, errors: fields as Record<string, string>, problems: form })
  }
  const { message, url, tone } = flow.done(record)
  reply.flash(tone ?? 'success', message)
  return redirectPage(request, reply, url)
}
