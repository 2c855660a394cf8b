/**
 * Who a document is shared with (ModifyDocumentPermission, DescribeDocumentPermission; "Sharing SSM documents",
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-ssm-sharing.html). An account is a 12-digit
 * id, or `all` for everyone (public). The engine has one account of its own: documents shared with others are
 * recorded and described, and nothing else reads them until the engine has more accounts.
 */
import { ssmError } from '../../errors/ssm-errors.js';
import type { AccountSharingInfo } from '../../model/ssm.js';

/** `AccountId` pattern `(?i)all|[0-9]{12}` (botocore). */
const ACCOUNT_ID = /^(?:[aA][lL][lL]|[0-9]{12})$/;
/** `SharedDocumentVersion` pattern `([$]LATEST|[$]DEFAULT|[$]ALL)`; the default is the document's default version. */
const SHARED_VERSION = /^\$(LATEST|DEFAULT|ALL)$/;
/** `AccountIdList` holds at most 20 ids a call (botocore). */
export const MAX_ACCOUNT_IDS_PER_CALL = 20;
/** "You can share a document with a maximum of 1000 AWS accounts" (Systems Manager quotas). */
export const MAX_SHARED_ACCOUNTS = 1000;

export class DocumentPermissions {
  /** Account id (`all` lower-case, as AWS returns it) → shared version, in the order shared. */
  readonly #shared = new Map<string, string>();

  get isShared(): boolean {
    return this.#shared.size > 0;
  }

  get isPublic(): boolean {
    return this.#shared.has('all');
  }

  modify(documentName: string, add: readonly string[], remove: readonly string[], version: string | undefined): void {
    if (add.length > MAX_ACCOUNT_IDS_PER_CALL || remove.length > MAX_ACCOUNT_IDS_PER_CALL) {
      throw ssmError('DocumentPermissionLimit', `You can add or remove at most ${MAX_ACCOUNT_IDS_PER_CALL} account ids in one request.`);
    }
    for (const id of [...add, ...remove]) {
      if (typeof id !== 'string' || !ACCOUNT_ID.test(id)) {
        throw ssmError('ValidationException', `1 validation error detected: Value '${String(id)}' at 'accountIdsToAdd' failed to satisfy constraint: Member must satisfy regular expression pattern: (?i)all|[0-9]{12}`);
      }
    }
    if (version !== undefined && !SHARED_VERSION.test(version)) {
      throw ssmError('ValidationException', `1 validation error detected: Value '${version}' at 'sharedDocumentVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: ([$]LATEST|[$]DEFAULT|[$]ALL)`);
    }
    const added = add.map((id) => id.toLowerCase()).filter((id) => !this.#shared.has(id));
    if (this.#shared.size + new Set(added).size > MAX_SHARED_ACCOUNTS) {
      throw ssmError('DocumentPermissionLimit', `Document ${documentName} can be shared with at most ${MAX_SHARED_ACCOUNTS} accounts.`);
    }
    for (const id of remove) this.#shared.delete(id.toLowerCase());
    for (const id of add) this.#shared.set(id.toLowerCase(), version ?? '$DEFAULT');
  }

  describe(): { AccountIds: string[]; AccountSharingInfoList: AccountSharingInfo[] } {
    const ids = [...this.#shared.keys()];
    return { AccountIds: ids, AccountSharingInfoList: ids.map((AccountId) => ({ AccountId, SharedDocumentVersion: this.#shared.get(AccountId)! })) };
  }
}
