import { numberInput, type FormSpec, type FormValues } from '../../admin/form.ts'
import type { SoftwareInput, SoftwarePatch } from '../../register/index.ts'

type FieldName = 'name' | 'vendor' | 'seats_purchased' | 'cost_per_seat' | 'renewal_date' | 'manual_seat_count'

export type SoftwareValues = FormValues<FieldName>

export const MANUAL_COUNT_HINT = 'For a tool with no API to list its users: how many seats are in use, counted by hand. Leave it blank to count the seats assigned here.'

export const SOFTWARE_FORM: FormSpec<FieldName> = {
  id: 'software',
  groups: [
    {
      legend: 'Licence',
      fields: [
        { name: 'name', label: 'Name', required: true, maxlength: 255 },
        { name: 'vendor', label: 'Vendor', maxlength: 255 },
        { name: 'renewal_date', label: 'Renewal date', type: 'date' }
      ]
    },
    {
      legend: 'Seats and cost',
      fields: [
        { name: 'seats_purchased', label: 'Seats purchased', type: 'number', required: true },
        { name: 'cost_per_seat', label: 'Cost per seat', type: 'number', hint: 'A month, in the workspace currency, e.g. 12.50.' },
        { name: 'manual_seat_count', label: 'Seats in use, counted by hand', type: 'number', hint: MANUAL_COUNT_HINT }
      ]
    }
  ]
}

function registerValues (values: SoftwareValues): Record<string, unknown> {
  return {
    ...values,
    seats_purchased: numberInput(values.seats_purchased, 'whole'),
    cost_per_seat: numberInput(values.cost_per_seat, 'amount'),
    manual_seat_count: numberInput(values.manual_seat_count, 'whole')
  }
}

/** A new licence: no seats purchased given is none. */
export function createInput (values: SoftwareValues): SoftwareInput {
  const input = registerValues(values)
  if (values.seats_purchased === '') delete input.seats_purchased
  return input as SoftwareInput
}

export function patchInput (values: SoftwareValues): SoftwarePatch {
  return registerValues(values) as SoftwarePatch
}
