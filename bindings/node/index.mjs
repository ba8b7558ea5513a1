// ES module entry: the same exports as index.js (a test checks that both lists agree).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const cjs = require('./index.js')

export const {
  ApiError,
  AuthorizationCode,
  CallbackError,
  Config,
  Deduplicator,
  HootsuiteEventsError,
  InvalidArgumentError,
  ParseError,
  SIGNATURE_HEADER,
  SignatureError,
  ValidationError,
  WEBHOOK_ID_HEADER,
  buildInstanceBody,
  createInstanceRequest,
  createInstanceSchema,
  deleteInstanceRequest,
  getInstanceRequest,
  hootsuiteWebhookUrl,
  instanceEventsRequest,
  listInstancesRequest,
  parseCallback,
  parseEmpty,
  parseEventNotification,
  parseInstance,
  parseInstanceEvents,
  parseInstancePage,
  parseRedirectUrl,
  reauthenticateCodeRequest,
  reauthenticateRequest,
  redirectUrlRequest,
  setEnabledRequest,
  setEventsRequest,
  sign,
  updateEventCallbackRequest,
  validateInstance,
  validateInstanceUpdate,
  verifyEvent,
  verifySignature,
} = cjs
export default cjs
