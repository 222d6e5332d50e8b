import type { CsvColumn } from '../../admin/list/index.ts'
import type { HardwareRow } from './list.ts'

const column = (header: string, key: keyof HardwareRow): CsvColumn<HardwareRow> => ({ header, value: row => row[key] })

/** The export's columns: every field a person can edit, the assignee, and where the record came from. */
export const HARDWARE_COLUMNS: Array<CsvColumn<HardwareRow>> = [
  column('Asset tag', 'asset_tag'), column('Serial number', 'serial'), column('Name', 'name'), column('Category', 'category'),
  column('Manufacturer', 'manufacturer'), column('Model', 'model'), column('Operating system', 'os'), column('OS version', 'os_version'),
  column('MAC address', 'mac_address'), column('Status', 'status'), column('Condition', 'condition'),
  column('Assigned to', 'assignee_name'), column('Assignee email', 'assignee_email'), column('Assigned at', 'assigned_at'),
  column('CPU', 'cpu'), column('RAM', 'ram'), column('Storage', 'storage'), column('Purchase price', 'purchase_price'),
  column('Purchase date', 'purchase_date'), column('Warranty ends', 'warranty_end'), column('Notes', 'notes'),
  column('Source', 'source'), column('Created at', 'created_at'), column('Updated at', 'updated_at'), column('Id', 'id')
]
