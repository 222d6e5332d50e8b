import { statusLabeller } from '../../admin/status-labels.ts'
import { HARDWARE_CONDITIONS, HARDWARE_STATUSES, type FieldError, type Hardware, type HardwareInput, type HardwarePatch } from '../../register/index.ts'

type FieldName = 'asset_tag' | 'serial' | 'name' | 'category' | 'manufacturer' | 'model' | 'os' | 'os_version' | 'mac_address' |
  'cpu' | 'ram' | 'storage' | 'status' | 'condition' | 'purchase_price' | 'purchase_date' | 'warranty_end' | 'notes'

/** What the form shows in its fields: text as typed, so a refused form comes back unchanged. */
export type FormValues = Record<FieldName, string>
export type FieldErrors = Partial<Record<FieldName, string>>

interface FieldDef {
  name: FieldName
  label: string
  type?: 'number' | 'date' | 'select' | 'textarea'
  required?: boolean
  maxlength?: number
  hint?: string
  options?: readonly string[]
  optionLabel?: (value: string) => string
  /** A <datalist> id that suggests values. */
  list?: string
  /** Filled by a serial lookup. */
  lookup?: boolean
}

const EDITABLE_STATUSES = HARDWARE_STATUSES.filter(s => s !== 'assigned')

const GROUPS: Array<{ legend: string, fields: FieldDef[] }> = [
  {
    legend: 'Identity',
    fields: [
      { name: 'serial', label: 'Serial number', required: true, maxlength: 128 },
      { name: 'name', label: 'Name', required: true, maxlength: 255, hint: 'How people recognise it, e.g. “MacBook Pro 14 – Design”.' },
      { name: 'asset_tag', label: 'Asset tag', maxlength: 64 },
      { name: 'category', label: 'Category', maxlength: 64, list: 'hw-categories' }
    ]
  },
  {
    legend: 'Device',
    fields: [
      { name: 'manufacturer', label: 'Manufacturer', maxlength: 255, lookup: true },
      { name: 'model', label: 'Model', maxlength: 255, lookup: true },
      { name: 'os', label: 'Operating system', maxlength: 255, lookup: true },
      { name: 'os_version', label: 'OS version', maxlength: 255, lookup: true },
      { name: 'mac_address', label: 'MAC address', maxlength: 17, hint: 'Six pairs of hex digits, e.g. 3C:22:FB:0A:1B:2C.', lookup: true }
    ]
  },
  {
    legend: 'Specifications',
    fields: [
      { name: 'cpu', label: 'CPU', maxlength: 255 },
      { name: 'ram', label: 'RAM', maxlength: 255 },
      { name: 'storage', label: 'Storage', maxlength: 255 }
    ]
  },
  {
    legend: 'Status',
    fields: [
      { name: 'status', label: 'Status', type: 'select', options: EDITABLE_STATUSES, optionLabel: statusLabeller('hardware'), hint: 'To hand it to someone, use Assign on its page.' },
      { name: 'condition', label: 'Condition', type: 'select', options: HARDWARE_CONDITIONS }
    ]
  },
  {
    legend: 'Purchase',
    fields: [
      { name: 'purchase_price', label: 'Purchase price', type: 'number', hint: 'In the workspace currency, e.g. 1299.00.' },
      { name: 'purchase_date', label: 'Purchase date', type: 'date' },
      { name: 'warranty_end', label: 'Warranty ends', type: 'date', lookup: true }
    ]
  },
  { legend: 'Notes', fields: [{ name: 'notes', label: 'Notes', type: 'textarea', maxlength: 10000 }] }
]

const FIELDS = GROUPS.flatMap(g => g.fields)
const LABELS = Object.fromEntries(FIELDS.map(f => [f.name, f.label])) as Record<FieldName, string>
const AMOUNT = /^\d{1,10}(\.\d{1,2})?$/

function text (value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v.trim() : ''
}

/** The form as posted (only its own fields; anything else in the body is ignored). */
export function readForm (body: Record<string, unknown> | undefined): FormValues {
  return Object.fromEntries(FIELDS.map(f => [f.name, text(body?.[f.name])])) as FormValues
}

/** The form filled with a record, for editing. */
export function valuesOf (hardware: Hardware): FormValues {
  return Object.fromEntries(FIELDS.map(f => {
    const value = hardware[f.name]
    return [f.name, value === null || value === undefined ? '' : typeof value === 'number' ? value.toFixed(2) : String(value)]
  })) as FormValues
}

export function blankValues (): FormValues {
  return { ...Object.fromEntries(FIELDS.map(f => [f.name, ''])) as FormValues, status: 'available', condition: 'good' }
}

/**
 * The register's input from the form. An amount that is not a number is passed on as text so that
 * the register's validation refuses it together with every other problem, in one answer.
 */
function registerValues (values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values }
  out.purchase_price = values.purchase_price === '' ? null : AMOUNT.test(values.purchase_price) ? Number(values.purchase_price) : values.purchase_price
  return out
}

/** A new record: blank asset tag, category, status and condition take the register's defaults. */
export function createInput (values: FormValues): HardwareInput {
  const input = registerValues(values)
  for (const name of ['asset_tag', 'category', 'status', 'condition'] as const) if (values[name] === '') delete input[name]
  return input as HardwareInput
}

/** An edit; the status is left out while the hardware is assigned (assign and recover own it). */
export function patchInput (values: FormValues, current: Hardware): HardwarePatch {
  const patch = registerValues(values)
  if (current.status === 'assigned') delete patch.status
  return patch as HardwarePatch
}

/** The register's field errors as sentences beside their fields; the rest go above the form. */
export function fieldMessages (errors: FieldError[]): { fields: FieldErrors, form: string[] } {
  const fields: FieldErrors = {}
  const form: string[] = []
  for (const e of errors) {
    const name = e.field as FieldName
    if (name in LABELS) fields[name] = fields[name] ? `${fields[name]} ${sentence(LABELS[name], e.message)}` : sentence(LABELS[name], e.message)
    else form.push(sentence(e.field.replace(/_/g, ' '), e.message))
  }
  return { fields, form }
}

function sentence (subject: string, message: string): string {
  return `${subject} ${message}.`
}

export interface FieldView extends FieldDef {
  id: string
  value: string
  error?: string
  /** After a refused edit: what is saved now, where it differs from the form. */
  saved?: string
  /** Values a lookup suggests, for the admin to accept. */
  suggestion?: string
  choices?: Array<{ value: string, label: string, selected: boolean }>
  disabled?: boolean
  /** On the serial field: the integrations its "Look up by serial" button asks. */
  lookupWith?: string
  /** The ids of the hint and messages that describe the field. */
  describedBy: string
}

export interface FormState {
  values: FormValues
  errors?: FieldErrors
  saved?: Hardware
  suggestions?: Partial<Record<FieldName, string>>
  /** The record being edited (absent when creating). */
  current?: Hardware
  /** Names of the connected lookup integrations; '' hides the button. */
  lookupWith?: string
  /** The workspace currency, named in the purchase price's hint. */
  currency?: string
}

/** The fieldsets to render, each field with its value, message, choices and hints. */
export function formGroups (state: FormState) {
  const assigned = state.current?.status === 'assigned'
  return GROUPS.map(group => ({
    legend: group.legend,
    fields: group.fields.map((def): FieldView => {
      const value = state.values[def.name]
      const savedValue = state.saved ? valuesOf(state.saved)[def.name] : undefined
      const view: FieldView = {
        ...def,
        id: `hw-${def.name.replace(/_/g, '-')}`,
        value,
        error: state.errors?.[def.name],
        saved: savedValue !== undefined && savedValue !== value ? savedValue || '(empty)' : undefined,
        suggestion: state.suggestions?.[def.name],
        lookupWith: def.name === 'serial' && state.lookupWith ? state.lookupWith : undefined,
        describedBy: ''
      }
      if (def.name === 'asset_tag' && !state.current) view.hint = 'Leave blank to take the next tag of the workspace.'
      if (def.name === 'category' && !state.current) view.hint = 'Leave blank for “other”.'
      if (def.name === 'purchase_price' && state.currency) view.hint = `In ${state.currency} (the workspace currency, set in Settings), e.g. 1299.00.`
      if (def.options) {
        const label = def.optionLabel ?? ((option: string) => option.replace(/_/g, ' '))
        view.choices = def.options.map(option => ({ value: option, label: label(option), selected: option === value }))
        if (def.name === 'status' && assigned) {
          view.choices = [{ value: 'assigned', label: label('assigned'), selected: true }]
          view.disabled = true
          view.hint = 'Assigned: recover it on its page to change the status.'
        }
      }
      const notes = { hint: view.hint, saved: view.saved, suggestion: view.suggestion, lookup: view.lookupWith, error: view.error }
      view.describedBy = Object.entries(notes).filter(([, v]) => v).map(([k]) => `${view.id}-${k}`).join(' ')
      return view
    })
  }))
}
