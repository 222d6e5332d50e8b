import type { CsvColumn } from '../../admin/list/index.ts'
import type { PersonRow } from './list.ts'

const column = (header: string, key: keyof PersonRow): CsvColumn<PersonRow> => ({ header, value: row => row[key] })

/** The export's columns: every HR field, the manager, what the person holds and where the record came from. */
export const PEOPLE_COLUMNS: Array<CsvColumn<PersonRow>> = [
  column('First name', 'first_name'), column('Last name', 'last_name'), column('Email', 'email'), column('Job title', 'job_title'),
  column('Department', 'department'), column('Location', 'location'), column('Manager', 'manager_name'), column('Manager email', 'manager_email'),
  column('Cost center', 'cost_center'), column('Start date', 'start_date'), column('End date', 'end_date'), column('Status', 'status'),
  column('Role', 'role'), column('Hardware held', 'hardware_held'), column('Seats held', 'seats_held'), column('Source', 'source'),
  column('Created at', 'created_at'), column('Updated at', 'updated_at'), column('Id', 'id')
]
