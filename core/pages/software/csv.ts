import type { CsvColumn } from '../../admin/list/index.ts'
import type { SoftwareView } from './queries.ts'

const column = (header: string, key: keyof SoftwareView): CsvColumn<SoftwareView> => ({ header, value: row => row[key] })

/** The export's columns: the licence, its seats and their use, and what it costs a month (every purchased seat), in which currency. */
export const SOFTWARE_COLUMNS: Array<CsvColumn<SoftwareView>> = [
  column('Software', 'name'), column('Vendor', 'vendor'), column('Seats purchased', 'seats_purchased'), column('Seats in use', 'seats_in_use'),
  column('Counted by hand', 'manual_seat_count'), column('Seats assigned', 'seats_assigned'), column('Active seats', 'seats_active'),
  column('Idle seats', 'seats_idle'), column('Utilization %', 'utilization'), column('Cost per seat', 'cost_per_seat'),
  column('Monthly spend', 'monthly_spend'), column('Idle cost', 'idle_cost'), column('Currency', 'currency'), column('Renewal date', 'renewal_date'),
  column('Source', 'source'), column('Id', 'id')
]
