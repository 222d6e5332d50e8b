// The plugin SDK: the only module a plugin imports from the core. The connector contract, the
// canonical records, ctx.http's types and errors, and the test helpers plugin authors use
// (docs/writing-a-plugin.md). Nothing here imports from plugins/.

export {
  CONTRACT_VERSION, CAPABILITIES, ConnectorError, defineConnector, implementedCapabilities,
  type Capability, type Connector, type ConnectorCache, type ConnectorContext, type ConnectorLogger,
  type ConnectorPage, type ConnectorRoutesOptions, type FailureReason,
  type PageForm, type PageTools, type LookupQuery, type Notification, type SyncOptions,
  type TestResult, type TicketChange, type TicketRef, type TicketRequest
} from './sdk/contract.ts'

export {
  checkInTime, latestCheckIn, MODELS, RECORD_SCHEMAS, recordProblem, skipReason,
  type CanonicalRecord, type Checkpoint, type DeviceRecord, type Model, type PersonRecord, type SeatRecord, type SyncMessage
} from './sdk/records.ts'

export { failureReason, failureWords, testResultFromError } from './sdk/failures.ts'
export {
  oauthError, vendorFailures, type FailureRule, type FailureRules, type FailureWords,
  type VendorError, type VendorFailure, type VendorFailureDeclaration, type VendorFailures
} from './sdk/vendor-errors.ts'
export { pageMessages, type MappedRecord, type PageMessagesOptions } from './sdk/page-messages.ts'

export type {
  Directory, DirectoryPeople, DirectoryPerson, DirectoryTransaction, InboundAuthentication, InboundToken,
  PersonFields, PersonRole, PersonStatus
} from './sdk/directory.ts'
export { NotFoundError, ValidationError, type FieldError } from './register/errors.ts'

export { EVENT_TYPES, type EventType } from './events/types.ts'

// Input hygiene at a plugin's own routes: what PostgreSQL cannot store, how deep JSON may nest,
// and the database's refusal of a value that got through anyway.
export { printable, storable, unstorableFields, NUL_MESSAGE, type UnstorableField } from './boundary/unstorable.ts'
export { MAX_JSON_DEPTH, jsonNestedDeeperThan } from './boundary/json-depth.ts'
export { isDataException } from './db/errors.ts'
export type { ErrorShape } from './boundary/error-shapes.ts'

export {
  AddressNotAllowedError, HostNotAllowedError, HttpStatusError, RetryLaterError,
  type HttpClient, type HttpClientOptions, type HttpMethod, type HttpRequest, type HttpResponse,
  type OAuth2ClientCredentials, type OutboundCall, type PaginationScheme
} from './integrations/http-types.ts'
export type { Page, PageOptions, QueryValue, ResumeToken } from './integrations/http-types.ts'
export { OAuth2TokenError, PaginationLoopError, RequestTimeoutError } from './integrations/http.ts'
export { GraphQLError } from './integrations/http.ts'

export type { PluginManifest } from './integrations/manifest.ts'

// Test helpers
export { createTestContext, createMemoryCache, routeToFake, silentLogger, type TestContextOptions } from './sdk/test-context.ts'
export { drainSync, createMemoryStore, type DrainOptions, type DrainResult, type MemoryStore, type SyncCounts, type RecordError } from './sdk/drain.ts'
export { runConformance, type ConformanceTest, type FakeOptions, type PluginFake, type StartFake } from './sdk/conformance.ts'
