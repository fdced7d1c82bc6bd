import type { FormBody, NotificationKind, SignatureAlgorithm } from '../protocol';

/** A notification whose signature checked out, as the guard hands it to the controller. */
export interface VerifiedNotification {
  readonly kind: NotificationKind;
  readonly listener: string;
  readonly rawBody: Buffer;
  readonly form: FormBody;
  readonly algorithm: SignatureAlgorithm;
  /** The key that verified it: the receipt is signed with the same one. */
  readonly key: Buffer;
  readonly remoteAddress: string | undefined;
}
