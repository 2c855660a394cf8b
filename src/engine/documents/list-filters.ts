/**
 * ListDocuments filters (`DocumentKeyValuesFilter`, https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DocumentKeyValuesFilter.html,
 * and the deprecated `DocumentFilter`): the keys `DocumentType`, `Name` (a name prefix), `Owner` (`Self`, `Amazon`,
 * `Public`, `Private`, `ThirdParty`, and `All`), `PlatformTypes`, `TargetType` and `tag:<key>`. Several keys must all
 * match; several values of one key, any of them. An unknown key is `InvalidFilterKey`.
 *
 * Owners as the engine has them: its own documents are `Self` (and `Public` once shared with all), AWS's are
 * `Amazon`; with one account and no partners, nothing is `Private` (shared with this account by another) or
 * `ThirdParty`. Without an Owner filter every document the account can use is listed: its own and AWS's.
 */
import { ssmError } from '../../errors/ssm-errors.js';
import type { ListDocumentsRequest, PlatformType, Tag } from '../../model/ssm.js';

/** `DocumentKeyValuesFilterList` holds at most 6 filters (botocore); each key at most 128 characters. */
export const MAX_LIST_FILTERS = 6;
const MAX_FILTER_VALUES = 20;
const OWNERS: ReadonlySet<string> = new Set(['Self', 'Amazon', 'Public', 'Private', 'ThirdParty', 'All']);
const KEYS: ReadonlySet<string> = new Set(['DocumentType', 'Name', 'Owner', 'PlatformTypes', 'TargetType']);

export interface ListFilter {
  readonly key: string;
  readonly values: readonly string[];
}

/** What a filter looks at in a document. */
export interface ListedDocument {
  readonly name: string;
  readonly owner: 'Self' | 'Amazon';
  readonly isPublic: boolean;
  readonly documentType: string;
  readonly platformTypes: readonly PlatformType[];
  readonly targetType?: string | undefined;
  readonly tags: readonly Tag[];
}

/** Both filter lists as one, checked: known keys, AWS's limits, one Owner of the six. */
export function parseListFilters(input: ListDocumentsRequest): ListFilter[] {
  const filters: ListFilter[] = [];
  if (input.Filters !== undefined && input.Filters.length > MAX_LIST_FILTERS) {
    throw ssmError('ValidationException', `1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to ${MAX_LIST_FILTERS}`);
  }
  for (const f of input.DocumentFilterList ?? []) filters.push({ key: f.key, values: [f.value] });
  for (const f of input.Filters ?? []) {
    const key = f.Key ?? '';
    const values = f.Values ?? [];
    if (key.length < 1 || key.length > 128) throw ssmError('ValidationException', 'A filter Key must be 1 to 128 characters.');
    if (values.length > MAX_FILTER_VALUES) throw ssmError('ValidationException', `A filter takes at most ${MAX_FILTER_VALUES} values.`);
    filters.push({ key, values });
  }
  const owners: string[] = [];
  for (const f of filters) {
    if (!KEYS.has(f.key) && !(f.key.startsWith('tag:') && f.key.length > 4)) throw ssmError('InvalidFilterKey', `The filter key ${f.key} is not valid.`);
    if (f.key === 'Owner') owners.push(...f.values);
  }
  // "Note that only one Owner can be specified in a request."
  if (owners.length > 1) throw ssmError('ValidationException', 'Only one Owner can be specified in a request.');
  for (const owner of owners) {
    if (!OWNERS.has(owner)) throw ssmError('ValidationException', `Owner ${owner} is not valid: use Self, Amazon, Public, Private, ThirdParty or All.`);
  }
  return filters;
}

export function documentMatches(filters: readonly ListFilter[], doc: ListedDocument): boolean {
  for (const f of filters) if (!matches(f, doc)) return false;
  return true;
}

function matches(f: ListFilter, doc: ListedDocument): boolean {
  switch (f.key) {
    case 'DocumentType':
      return f.values.includes(doc.documentType);
    case 'Name':
      // "If you use Name as a key, you can use a name prefix to return a list of documents."
      return f.values.some((prefix) => doc.name.startsWith(prefix));
    case 'Owner':
      return f.values.every((owner) => ownedBy(owner, doc));
    case 'PlatformTypes':
      return f.values.some((p) => (doc.platformTypes as readonly string[]).includes(p));
    case 'TargetType':
      return doc.targetType !== undefined && f.values.includes(doc.targetType);
    default: {
      const tagKey = f.key.slice(4);
      const tag = doc.tags.find((t) => t.Key === tagKey);
      // A tag filter without values matches any value of the key.
      return tag !== undefined && (f.values.length === 0 || f.values.includes(tag.Value));
    }
  }
}

function ownedBy(owner: string, doc: ListedDocument): boolean {
  switch (owner) {
    case 'Self':
      return doc.owner === 'Self';
    case 'Amazon':
      return doc.owner === 'Amazon';
    case 'Public':
      return doc.isPublic;
    case 'All':
      return true;
    default:
      // Private (shared with this account by another account) and ThirdParty: none in a one-account engine.
      return false;
  }
}
