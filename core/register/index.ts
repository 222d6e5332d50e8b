import fp from 'fastify-plugin'
import { createRun, type RegisterContext } from './change.ts'
import { hardwareService, type HardwareService } from './hardware.ts'
import { peopleService, type PeopleService } from './people.ts'
import { requestsService, type RequestsService } from './requests.ts'
import { softwareService, type SoftwareService } from './software.ts'

export { ValidationError, NotFoundError, ConflictError, type FieldError } from './errors.ts'
export { formatAssetTag, takeAssetTags } from './asset-tags.ts'
export type { Page, VersionCheck } from './records.ts'
export { isUuid } from './records.ts'
export type { Person, PersonInput, PersonPatch, PersonRole, PersonStatus } from './people.schema.ts'
export type { Hardware, HardwareInput, HardwarePatch, HardwareStatus, HardwareCondition, AssignOptions, RecoverOptions } from './hardware.schema.ts'
export type { Software, SoftwareInput, SoftwarePatch, SoftwareWithUsage, Seat, SeatHolder, SeatOptions } from './software.schema.ts'
export type { AssetRequest, RequestInput, RequestStatus } from './requests.schema.ts'
export { OPEN_REQUEST_STATUSES, REQUEST_STATUSES, TRANSITIONS } from './requests.schema.ts'
export { HARDWARE_STATUSES, normaliseSerial } from './hardware.schema.ts'
export { IDLE_SEAT, IDLE_SEAT_DAYS, softwareUsage, type IdleSeats } from './software.ts'
export { PERSON_ROLES, PERSON_STATUSES } from './people.schema.ts'
// For readers outside the register (the API): record kinds, shared field schemas, validation helpers.
export { HARDWARE, HARDWARE_PROPERTIES, HARDWARE_CONDITIONS, ASSIGN_PROPERTIES, RECOVER_PROPERTIES } from './hardware.schema.ts'
export { PEOPLE, PERSON_PROPERTIES } from './people.schema.ts'
export { SOFTWARE, SOFTWARE_PROPERTIES, SEAT_COLUMNS, SEAT_PROPERTIES } from './software.schema.ts'
export { REQUESTS, REQUEST_PROPERTIES, REJECTION_PROPERTIES, FULFIL_PROPERTIES } from './requests.schema.ts'
export { usageFromDb as softwareFromDb } from './software.ts'
export { addRegisterFormats, fieldErrors, objectSchema, validator, type PropertySchema } from './validate.ts'
export type { PeopleQuery, OffboardResult, Holdings } from './people.ts'
export type { HardwareQuery } from './hardware.ts'
export type { SeatQuery } from './software-seats.ts'
export type { RequestQuery } from './requests.ts'
export type { PeopleService, HardwareService, SoftwareService, RequestsService }
// For the inbound plugins' directory (core/integrations/directory.ts): people in a caller's transaction.
export { asValidationError, runIn } from './change.ts'
export { peopleService }

export interface Registry {
  people: PeopleService
  hardware: HardwareService
  software: SoftwareService
  requests: RequestsService
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The register services: the only code that writes hardware, people, software and requests. */
    registry: Registry
  }
}

export default fp(async (app) => {
  const ctx: RegisterContext = { db: app.db, run: createRun(app) }
  app.decorate('registry', {
    people: peopleService(ctx),
    hardware: hardwareService(ctx),
    software: softwareService(ctx),
    requests: requestsService(ctx)
  } satisfies Registry)
}, { name: 'register', dependencies: ['db', 'audit', 'events'] })
