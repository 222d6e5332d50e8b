// What a CSV file can hold for each kind of import: the canonical record's fields, the column
// headers recognised for each (this project's own CSV exports and Snipe-IT's exports), and which
// field a record cannot do without.
import type { Model } from '../sdk/records.ts'

export const CSV_KINDS = ['hardware', 'people', 'seats'] as const
export type CsvKind = typeof CSV_KINDS[number]

export type CellType = 'text' | 'date' | 'date-time' | 'status'

export interface CsvField {
  /** The canonical record's field (core/sdk/records.ts). */
  key: string
  label: string
  type: CellType
  required?: boolean
  /** Headers matched to this field, compared lower-cased with everything but letters and digits dropped. */
  headers: string[]
  /** The template's example value. */
  example: string
}

export interface CsvKindInfo {
  kind: CsvKind
  model: Model
  /** "Hardware", "People", "Software seats" */
  title: string
  /** What a row is called ("device", "person", "seat"). */
  row: string
  /** How a row is matched to the register, for the page. */
  matchedBy: string
  fields: CsvField[]
}

const field = (key: string, label: string, headers: string[], example: string, type: CellType = 'text', required = false): CsvField =>
  ({ key, label, type, required, headers: [label, ...headers], example })

export const CSV_IMPORTS: Record<CsvKind, CsvKindInfo> = {
  hardware: {
    kind: 'hardware',
    model: 'device',
    title: 'Hardware',
    row: 'device',
    matchedBy: 'serial number (whatever its case): a new serial is created with the next asset tag, a known one updated',
    fields: [
      field('serial', 'Serial number', ['Serial', 'Serial no', 'Serial no.', 'Serialnumber', 'Serial_number', 'Service tag'], 'C02XK1JHJG5J', 'text', true),
      field('name', 'Name', ['Asset name', 'Item name', 'Device name', 'Computer name', 'Hostname'], 'Design MacBook'),
      field('manufacturer', 'Manufacturer', ['Make', 'Brand'], 'Apple'),
      field('model', 'Model', ['Model name', 'Product'], 'MacBook Pro 14-inch'),
      field('os', 'Operating system', ['OS', 'Platform'], 'macOS'),
      field('osVersion', 'OS version', ['Operating system version'], '14.5'),
      field('macAddress', 'MAC address', ['MAC', 'Wi-Fi MAC', 'Wifi MAC address', 'Ethernet MAC'], 'a4:83:e7:12:34:56'),
      field('assignedUserEmail', 'Assignee email', ['Assigned to email', 'Assigned email', 'Checked out to email', 'User email', 'Email', 'Owner email'], 'alex@example.com'),
      field('warrantyEnd', 'Warranty ends', ['Warranty expires', 'Warranty end', 'Warranty end date', 'Warranty expiration', 'Warranty expiry'], '2027-03-31', 'date')
    ]
  },
  people: {
    kind: 'people',
    model: 'person',
    title: 'People',
    row: 'person',
    matchedBy: 'email address (whatever its case): a new address becomes an employee, a known person is updated',
    fields: [
      field('email', 'Email', ['Email address', 'E-mail', 'Mail', 'Work email', 'Username'], 'alex@example.com', 'text', true),
      field('firstName', 'First name', ['Firstname', 'Given name', 'First'], 'Alex'),
      field('lastName', 'Last name', ['Lastname', 'Surname', 'Family name', 'Last'], 'Morgan'),
      field('jobTitle', 'Job title', ['Title', 'Position'], 'Designer'),
      field('department', 'Department', ['Team'], 'Design'),
      field('location', 'Location', ['Office', 'Site'], 'London'),
      field('managerEmail', 'Manager email', ["Manager's email", 'Manager email address'], 'sam@example.com'),
      field('costCenter', 'Cost center', ['Cost centre', 'Cost code'], 'CC-100'),
      field('startDate', 'Start date', ['Hire date', 'Start', 'Joined'], '2024-02-01', 'date'),
      field('endDate', 'End date', ['Leave date', 'Termination date', 'Last day'], '', 'date'),
      field('status', 'Status', ['Employment status'], 'active', 'status')
    ]
  },
  seats: {
    kind: 'seats',
    model: 'seat',
    title: 'Software seats',
    row: 'seat',
    matchedBy: 'software title and holder: a title not in the register yet is created, a new holder gets a seat, a known seat its last activity',
    fields: [
      field('softwareName', 'Software', ['Software name', 'License', 'License name', 'Licence', 'Licence name', 'Application', 'App', 'Product name', 'Title'], 'Figma', 'text', true),
      field('email', 'Holder email', ['Licensed to email', 'Assigned to email', 'User email', 'Email', 'Seat holder', 'Checked out to email'], 'alex@example.com', 'text', true),
      field('lastActiveAt', 'Last active', ['Last active at', 'Last activity', 'Last login', 'Last used', 'Last seen'], '2026-11-30T09:15:00Z', 'date-time')
    ]
  }
}

export const isCsvKind = (value: unknown): value is CsvKind => CSV_KINDS.includes(value as CsvKind)

/** "Serial no." and "serial_no" alike. */
export const headerKey = (header: string): string => header.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '')

/** field key -> index of the column it is read from. */
export type Mapping = Record<string, number>

/**
 * Each field's column: the column headed by the field's label, else by the first of its known
 * headers that the file has. A column goes to one field only (the first field that claims it, in
 * the order above).
 */
export function matchHeaders (kind: CsvKind, headers: string[]): Mapping {
  const keys = headers.map(headerKey)
  const taken = new Set<number>()
  const mapping: Mapping = {}
  for (const f of CSV_IMPORTS[kind].fields) {
    for (const wanted of f.headers.map(headerKey)) {
      const index = keys.findIndex((k, i) => !taken.has(i) && k === wanted)
      if (index < 0) continue
      mapping[f.key] = index
      taken.add(index)
      break
    }
  }
  return mapping
}

/** The required fields the mapping leaves without a column. */
export const unmappedRequired = (kind: CsvKind, mapping: Mapping): CsvField[] =>
  CSV_IMPORTS[kind].fields.filter(f => f.required && mapping[f.key] === undefined)
