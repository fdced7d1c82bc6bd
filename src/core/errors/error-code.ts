/** Every error code a client can see. Stable strings: clients and alerts match on them. */
export enum ErrorCode {
  SignatureMissing = 'IPN_SIGNATURE_MISSING',
  SignatureInvalid = 'IPN_SIGNATURE_INVALID',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  NotificationIncomplete = 'IPN_NOTIFICATION_INCOMPLETE',
  NotificationMalformed = 'IPN_NOTIFICATION_MALFORMED',
  UnknownListener = 'IPN_UNKNOWN_LISTENER',
  DatabaseUnavailable = 'DATABASE_UNAVAILABLE',
  Unauthorized = 'UNAUTHORIZED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  BadRequest = 'BAD_REQUEST',
  Conflict = 'CONFLICT',
  Internal = 'INTERNAL_ERROR',
}
