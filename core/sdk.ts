// The plugin SDK's runtime entry (`stocktake/sdk`): with core/sdk/testing.ts (`stocktake/sdk/testing`,
// for fakes and tests) the only modules a plugin imports from the core. The connector contract, the
// canonical records, ctx.http's types and errors (docs/writing-a-plugin.md). Nothing here imports
// from plugins/, and nothing loads the conformance suite or handlebars (test/sdk-entries.test.ts).

export {
  CONTRACT_VERSION, CAPABILITIES, ConnectorError, defineConnector, implementedCapabilities,
  type Capability, type Connector, type ConnectorCache, type ConnectorContext, type ConnectorLogger,
  type ConnectorPage, type ConnectorRoutesOptions, type EmailAttachment, type EmailCapability, type EmailMessage, type FailureReason,
  type PageForm, type PageTools, type SealedSecrets, type LookupQuery, type Notification, type SyncOptions,
  type TestResult, type TicketChange, type TicketRef, type TicketRequest
} from './sdk/contract.ts'
export type {
  SignInCallback, SignInCapability, SignInFailure, SignInMethod, SignInPolicy, SignInRedirect, SignInResult,
  SignInStartInput, SignInTools, SignInUrls, VerifiedIdentity
} from './sdk/sign-in.ts'

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
export { isDataException } from './boundary/data-exception.ts'
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

// Deprecated here (kept for one release so that code written against SDK v1 keeps working): import
// them from `stocktake/sdk/testing`. runConformance has moved there only: it loads discovery and
// handlebars, which a running connector must not.
import * as testContext from './sdk/test-context.ts'
import * as drain from './sdk/drain.ts'
/** @deprecated Import it from `stocktake/sdk/testing`; `stocktake/sdk` drops it in the next release. */
export const createTestContext = testContext.createTestContext
/** @deprecated Import it from `stocktake/sdk/testing`; `stocktake/sdk` drops it in the next release. */
export const createMemoryCache = testContext.createMemoryCache
/** @deprecated Import it from `stocktake/sdk/testing`; `stocktake/sdk` drops it in the next release. */
export const routeToFake = testContext.routeToFake
/** @deprecated Import it from `stocktake/sdk/testing`; `stocktake/sdk` drops it in the next release. */
export const silentLogger = testContext.silentLogger
/** @deprecated Import it from `stocktake/sdk/testing`; `stocktake/sdk` drops it in the next release. */
export const drainSync = drain.drainSync
/** @deprecated Import it from `stocktake/sdk/testing`; `stocktake/sdk` drops it in the next release. */
export const createMemoryStore = drain.createMemoryStore
export type { TestContextOptions } from './sdk/test-context.ts'
export type { DrainOptions, DrainResult, MemoryStore, SyncCounts, RecordError } from './sdk/drain.ts'
export type { FakeOptions, PluginFake, StartFake } from './sdk/testing/plugin-fake.ts'
