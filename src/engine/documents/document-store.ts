/**
 * SSM documents, Automation and Command, with versions (`$LATEST`, `$DEFAULT`, numbered), loaded from JSON or YAML
 * and validated before they are stored (`validateRunbook`, `validateCommandDocument`): CreateDocument,
 * UpdateDocument, GetDocument, DescribeDocument, ListDocuments, UpdateDocumentDefaultVersion, DeleteDocument,
 * DescribeDocumentPermission and ModifyDocumentPermission. The AWS-owned documents the engine knows are listed and
 * described read-only, owned by `Amazon`.
 */
import { createHash } from 'node:crypto';
import { parseYaml, stringifyYaml } from '../../validate/cfn-yaml.js';
import { MAX_DOCUMENT_NESTING, parseJson } from '../../validate/nesting.js';
import { ssmError } from '../../errors/ssm-errors.js';
import type { CommandDocumentContent } from '../../model/command-document.js';
import type { JsonValue } from '../../model/json.js';
import type { Runbook, RunbookParameter } from '../../model/runbook.js';
import type {
  CreateDocumentRequest,
  DescribeDocumentPermissionRequest,
  DescribeDocumentPermissionResponse,
  DocumentDescription,
  DocumentFormat,
  DocumentIdentifier,
  DocumentType,
  GetDocumentResult,
  ListDocumentsRequest,
  ModifyDocumentPermissionRequest,
  PlatformType,
  Tag,
  UpdateDocumentRequest,
} from '../../model/ssm.js';
import { validateCommandDocument } from '../../validate/command-document.js';
import { platformsOf } from '../../validate/command-plugins.js';
import { validateRunbook } from '../../validate/runbook.js';
import { commandDocument, type CommandDocument, type CommandDocumentResolver } from '../run-command/command-documents.js';
import { paginate } from '../run-command/run-command-service.js';
import { AWS_DOCUMENTS, documentNameOf } from './aws-documents.js';
import { DocumentPermissions } from './document-permissions.js';
import { documentMatches, parseListFilters } from './list-filters.js';
import { memoryStore, type Store } from '../store/index.js';

/** The store's kind for the account's documents. */
const DOCUMENT_KIND = 'ssm.document';

/** A document as the store keeps it: each version's text, from which the rest is derived again at restore. */
interface SavedDocument {
  readonly Name: string;
  readonly DocumentType: DocumentType;
  readonly CreatedDate: number;
  readonly DefaultVersion: string;
  readonly DisplayName?: string;
  readonly TargetType?: string;
  readonly Tags: Tag[];
  readonly Shared: Array<{ AccountId: string; SharedDocumentVersion: string }>;
  readonly Versions: Array<{ DocumentVersion: string; Content: string; DocumentFormat: DocumentFormat; CreatedDate: number; VersionName?: string }>;
}

/** CreateDocument `Name` pattern. */
const NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,128}$/;
/** `DocumentDisplayName`: at most 1024 characters of `^[\w\.\-\:\/ ]*$` (botocore). */
const DISPLAY_NAME_PATTERN = /^[\w.\-:/ ]{0,1024}$/;
/** Prefixes reserved for AWS-owned documents (aws-semantics §9). */
const RESERVED_PREFIXES = ['aws', 'amazon', 'amzn'];
/** "document content ≤ 64 KB" (CreateDocument). */
export const MAX_DOCUMENT_CONTENT_BYTES = 64 * 1024;
/** "Document versions: 1,000 per document" (Systems Manager quotas). */
export const MAX_DOCUMENT_VERSIONS = 1000;
/** Document types the engine stores; AWS has more (Policy, Session, Package…), which it refuses by name. */
const STORED_TYPES: ReadonlySet<string> = new Set(['Command', 'Automation']);
/** PlatformTypes AWS gives every Automation document. */
const AUTOMATION_PLATFORMS: readonly PlatformType[] = ['Windows', 'Linux', 'MacOS'];

interface VersionRecord {
  readonly version: string;
  readonly content: string;
  readonly format: DocumentFormat;
  readonly createdDate: Date;
  readonly versionName?: string | undefined;
  readonly hash: string;
  readonly schemaVersion: string;
  readonly description?: string | undefined;
  readonly parameters: Readonly<Record<string, RunbookParameter>>;
  readonly platformTypes: readonly PlatformType[];
  /** The parsed Automation runbook (Automation documents). */
  readonly runbook?: Runbook;
  /** The parsed Command document content (Command documents); its runnable form is built on first use. */
  readonly command?: CommandDocumentContent;
  runnable?: CommandDocument;
}

interface DocumentRecord {
  readonly name: string;
  /** The account id, or `Amazon`. */
  readonly owner: string;
  readonly documentType: DocumentType;
  readonly createdDate: Date;
  readonly versions: VersionRecord[];
  defaultVersion: string;
  displayName?: string | undefined;
  readonly targetType?: string | undefined;
  readonly tags: Tag[];
  readonly permissions: DocumentPermissions;
}

export interface DocumentStoreOptions {
  readonly now: () => number;
  /** The engine's account: owner of every document created here. */
  readonly accountId: string;
  /** Where the account's documents are kept (default: nowhere but here). */
  readonly store?: Store;
}

/** A runbook resolved for execution. */
export interface ResolvedRunbook {
  readonly name: string;
  readonly version: string;
  readonly runbook: Runbook;
}

export class DocumentStore {
  readonly #docs = new Map<string, DocumentRecord>();
  readonly #aws = new Map<string, DocumentRecord>();
  readonly #options: DocumentStoreOptions;
  readonly #store: Store;

  constructor(options: DocumentStoreOptions) {
    this.#options = options;
    this.#store = options.store ?? memoryStore();
    for (const aws of Object.values(AWS_DOCUMENTS)) {
      const source = { content: aws.content, format: 'JSON' as const, version: '1', versionName: undefined, createdDate: aws.createdDate };
      const version = commandVersion(source, JSON.parse(aws.content) as CommandDocumentContent);
      this.#aws.set(aws.name, record(aws.name, 'Amazon', 'Command', version, {}));
    }
  }

  CreateDocument(input: CreateDocumentRequest): { DocumentDescription: DocumentDescription } {
    if (typeof input.Name !== 'string' || !NAME_PATTERN.test(input.Name)) {
      throw ssmError('ValidationException', `Document name '${String(input.Name)}' must match ${NAME_PATTERN.source}.`);
    }
    if (RESERVED_PREFIXES.some((p) => input.Name.toLowerCase().startsWith(p)) || this.#aws.has(input.Name)) {
      throw ssmError('ValidationException', `Document names starting with aws, amazon or amzn are reserved: ${input.Name}.`);
    }
    // "DocumentType … If you don't specify a value, the default is Command" (CreateDocument).
    const type = input.DocumentType ?? 'Command';
    if (!STORED_TYPES.has(type)) {
      throw ssmError('InvalidDocumentType', `DocumentType ${type} is not supported by the local engine (Command and Automation are).`);
    }
    checkDisplayName(input.DisplayName);
    if (this.#docs.has(input.Name)) throw ssmError('DocumentAlreadyExists', `Document with same name ${input.Name} already exists.`);
    const version = this.#parse(type, input.Content, input.DocumentFormat ?? 'JSON', '1', input.VersionName);
    const created = record(input.Name, this.#options.accountId, type, version, {
      displayName: input.DisplayName,
      targetType: input.TargetType,
      tags: structuredClone(input.Tags ?? []),
    });
    this.#docs.set(input.Name, created);
    this.#save(created);
    // The new document is `Creating` until the service has processed it (CreateDocument examples); then `Active`.
    return { DocumentDescription: { ...this.#describe(created, version), Status: 'Creating' } };
  }

  UpdateDocument(input: UpdateDocumentRequest): { DocumentDescription: DocumentDescription } {
    const record = this.#own(input.Name, 'update');
    const latest = record.versions.at(-1)!;
    // "DocumentVersion … you can specify $LATEST or the latest version number" (UpdateDocument).
    if (input.DocumentVersion !== undefined && input.DocumentVersion !== '$LATEST' && input.DocumentVersion !== latest.version) {
      throw ssmError('InvalidDocumentVersion', `Document version ${input.DocumentVersion} is not the latest version of ${input.Name}.`);
    }
    checkDisplayName(input.DisplayName);
    if (input.VersionName !== undefined && record.versions.some((v) => v.versionName === input.VersionName)) {
      throw ssmError('DuplicateDocumentVersionName', `Version name ${input.VersionName} is already used by document ${input.Name}.`);
    }
    if (record.versions.length >= MAX_DOCUMENT_VERSIONS) {
      throw ssmError('DocumentVersionLimitExceeded', `Document ${input.Name} has reached the limit of ${MAX_DOCUMENT_VERSIONS} versions; delete versions first.`);
    }
    const version = this.#parse(record.documentType, input.Content, input.DocumentFormat ?? latest.format, String(Number(latest.version) + 1), input.VersionName);
    if (record.versions.some((v) => v.hash === version.hash)) {
      throw ssmError('DuplicateDocumentContent', 'The content of the association document matches another document. Change the content of the document and try again.');
    }
    record.versions.push(version);
    if (input.DisplayName !== undefined) record.displayName = input.DisplayName;
    this.#save(record);
    return { DocumentDescription: { ...this.#describe(record, version), Status: 'Updating' } };
  }

  UpdateDocumentDefaultVersion(input: { Name: string; DocumentVersion: string }): {
    Description: { Name: string; DefaultVersion: string; DefaultVersionName?: string };
  } {
    const record = this.#own(input.Name, 'change the default version of');
    const version = this.#version(record, input.DocumentVersion);
    record.defaultVersion = version.version;
    this.#save(record);
    return {
      Description: { Name: record.name, DefaultVersion: version.version, ...(version.versionName === undefined ? {} : { DefaultVersionName: version.versionName }) },
    };
  }

  DeleteDocument(input: { Name: string; DocumentVersion?: string; VersionName?: string; Force?: boolean }): Record<string, never> {
    const record = this.#own(input.Name, 'delete');
    if (input.DocumentVersion === undefined && input.VersionName === undefined) {
      // "InvalidDocumentOperation: You attempted to delete a document while it is still shared. You must stop sharing
      // the document before you can delete it." (DeleteDocument)
      if (record.permissions.isShared) {
        throw ssmError('InvalidDocumentOperation', `You attempted to delete a document while it is still shared. You must stop sharing the document before you can delete it.`);
      }
      this.#docs.delete(input.Name);
      this.#store.delete(DOCUMENT_KIND, input.Name);
      return {};
    }
    const version = input.DocumentVersion !== undefined ? this.#version(record, input.DocumentVersion) : record.versions.find((v) => v.versionName === input.VersionName);
    if (version === undefined) throw ssmError('InvalidDocumentVersion', `Document ${input.Name} has no version named ${String(input.VersionName)}.`);
    if (version.version === record.defaultVersion) throw ssmError('InvalidDocumentOperation', `You can't delete the default version of ${input.Name}.`);
    record.versions.splice(record.versions.indexOf(version), 1);
    this.#save(record);
    return {};
  }

  GetDocument(input: { Name: string; DocumentVersion?: string; VersionName?: string; DocumentFormat?: DocumentFormat }): GetDocumentResult {
    const record = this.#require(input.Name);
    const version = this.#select(record, input.DocumentVersion, input.VersionName);
    // "DocumentFormat: Returns the document in the specified format" (GetDocument): JSON and YAML convert.
    const format = input.DocumentFormat ?? version.format;
    return {
      Name: record.name,
      CreatedDate: version.createdDate,
      ...(record.displayName === undefined ? {} : { DisplayName: record.displayName }),
      ...(version.versionName === undefined ? {} : { VersionName: version.versionName }),
      DocumentVersion: version.version,
      Status: 'Active',
      Content: format === version.format ? version.content : convert(version, format),
      DocumentType: record.documentType,
      DocumentFormat: format,
    };
  }

  DescribeDocument(input: { Name: string; DocumentVersion?: string; VersionName?: string }): { Document: DocumentDescription } {
    const record = this.#require(input.Name);
    return { Document: this.#describe(record, this.#select(record, input.DocumentVersion, input.VersionName)) };
  }

  /**
   * ListDocuments with its filters (`Filters`, and the deprecated `DocumentFilterList`), AWS-owned documents
   * included unless an `Owner` filter leaves them out; sorted by name.
   */
  ListDocuments(input: ListDocumentsRequest = {}): { DocumentIdentifiers: DocumentIdentifier[]; NextToken?: string } {
    const filters = parseListFilters(input);
    const all = [...this.#docs.values(), ...this.#aws.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const matching = all.filter((record) => {
      const version = this.#version(record, record.defaultVersion);
      return documentMatches(filters, {
        name: record.name,
        owner: record.owner === 'Amazon' ? 'Amazon' : 'Self',
        isPublic: record.permissions.isPublic,
        documentType: record.documentType,
        platformTypes: version.platformTypes,
        targetType: record.targetType,
        tags: record.tags,
      });
    });
    const page = paginate(matching, input.MaxResults, input.NextToken, 50);
    return { DocumentIdentifiers: page.items.map((r) => this.#identify(r)), ...(page.next === undefined ? {} : { NextToken: page.next }) };
  }

  ModifyDocumentPermission(input: ModifyDocumentPermissionRequest): Record<string, never> {
    checkPermissionType(input.PermissionType);
    const record = this.#own(input.Name, 'share');
    record.permissions.modify(record.name, input.AccountIdsToAdd ?? [], input.AccountIdsToRemove ?? [], input.SharedDocumentVersion);
    this.#save(record);
    return {};
  }

  DescribeDocumentPermission(input: DescribeDocumentPermissionRequest): DescribeDocumentPermissionResponse {
    checkPermissionType(input.PermissionType);
    const record = this.#own(input.Name, 'describe the permissions of');
    const { AccountIds, AccountSharingInfoList } = record.permissions.describe();
    const page = paginate(AccountSharingInfoList, input.MaxResults, input.NextToken, 200);
    const ids = page.items.map((i) => i.AccountId);
    return { AccountIds: AccountIds.filter((id) => ids.includes(id)), AccountSharingInfoList: page.items, ...(page.next === undefined ? {} : { NextToken: page.next }) };
  }

  /** Resolves a document for StartAutomationExecution. */
  resolveForExecution(name: string, version: string | undefined): ResolvedRunbook {
    const record = this.#docs.get(documentNameOf(name));
    if (record === undefined || record.documentType !== 'Automation') throw ssmError('AutomationDefinitionNotFoundException', `Automation definition ${name} not found.`);
    let selected: VersionRecord | undefined;
    if (version === undefined || version === '$DEFAULT') selected = record.versions.find((v) => v.version === record.defaultVersion);
    else if (version === '$LATEST') selected = record.versions.at(-1);
    else selected = record.versions.find((v) => v.version === version);
    if (selected === undefined) throw ssmError('AutomationDefinitionVersionNotFoundException', `Automation definition ${name} has no version ${String(version)}.`);
    return { name: record.name, version: selected.version, runbook: selected.runbook! };
  }

  /** Resolves a Command document for SendCommand (by name or ARN; `$DEFAULT`, `$LATEST` or a version number). */
  readonly resolveCommand: CommandDocumentResolver = (nameOrArn, version) => {
    const name = documentNameOf(nameOrArn);
    const record = this.#docs.get(name) ?? this.#aws.get(name);
    if (record === undefined) throw ssmError('InvalidDocument', `Document ${nameOrArn} does not exist.`);
    if (record.documentType !== 'Command') throw ssmError('InvalidDocument', `Document ${name} is of type ${record.documentType}; SendCommand runs Command documents.`);
    const selected = this.#version(record, version ?? '$DEFAULT');
    selected.runnable ??= commandDocument(record.name, selected.command!);
    return { doc: selected.runnable, version: selected.version };
  };

  /** Brings back the documents the store kept (at start), each version parsed again from its text. */
  restore(): void {
    for (const { value } of this.#store.records(DOCUMENT_KIND)) {
      const saved = value as unknown as SavedDocument;
      const versions = saved.Versions.map((v) => {
        const source = { content: v.Content, format: v.DocumentFormat, version: v.DocumentVersion, versionName: v.VersionName, createdDate: new Date(v.CreatedDate) };
        // The text was validated when it was stored; it is parsed again, not checked again.
        const parsed: unknown = v.DocumentFormat === 'JSON' ? JSON.parse(v.Content) : parseYaml(v.Content, { strict: true, uniqueKeys: true });
        return saved.DocumentType === 'Automation' ? automationVersion(source, parsed as Runbook) : commandVersion(source, parsed as CommandDocumentContent);
      });
      const base = record(saved.Name, this.#options.accountId, saved.DocumentType, versions[0]!, { displayName: saved.DisplayName, targetType: saved.TargetType, tags: saved.Tags });
      // Its own creation date: version 1 may have been deleted since.
      const restored: DocumentRecord = { ...base, createdDate: new Date(saved.CreatedDate) };
      restored.versions.splice(0, 1, ...versions);
      restored.defaultVersion = saved.DefaultVersion;
      for (const share of saved.Shared) restored.permissions.modify(saved.Name, [share.AccountId], [], share.SharedDocumentVersion);
      this.#docs.set(saved.Name, restored);
    }
  }

  #save(record: DocumentRecord): void {
    this.#store.put(DOCUMENT_KIND, record.name, (): JsonValue => {
      const saved: SavedDocument = {
        Name: record.name,
        DocumentType: record.documentType,
        CreatedDate: record.createdDate.getTime(),
        DefaultVersion: record.defaultVersion,
        ...(record.displayName === undefined ? {} : { DisplayName: record.displayName }),
        ...(record.targetType === undefined ? {} : { TargetType: record.targetType }),
        Tags: record.tags,
        Shared: record.permissions.describe().AccountSharingInfoList,
        Versions: record.versions.map((v) => ({
          DocumentVersion: v.version,
          Content: v.content,
          DocumentFormat: v.format,
          CreatedDate: v.createdDate.getTime(),
          ...(v.versionName === undefined ? {} : { VersionName: v.versionName }),
        })),
      };
      return saved as unknown as JsonValue;
    });
  }

  #parse(type: DocumentType, content: string, format: DocumentFormat, version: string, versionName: string | undefined): VersionRecord {
    if (typeof content !== 'string' || content.length === 0) throw ssmError('InvalidDocumentContent', 'Content is required.');
    if (Buffer.byteLength(content, 'utf8') > MAX_DOCUMENT_CONTENT_BYTES) {
      throw ssmError('MaxDocumentSizeExceeded', `Document content exceeds the ${MAX_DOCUMENT_CONTENT_BYTES}-byte limit.`);
    }
    if (format === 'TEXT') throw ssmError('InvalidDocumentContent', `${type} documents must be JSON or YAML.`);
    let parsed: unknown;
    try {
      parsed = format === 'JSON' ? parseJson(content, MAX_DOCUMENT_NESTING) : parseYaml(content, { strict: true, uniqueKeys: true });
    } catch (error) {
      throw ssmError('InvalidDocumentContent', `Content is not valid ${format}: ${(error as Error).message}`);
    }
    // Local-engine mode reports as errors only what AWS rejects at creation (and actions the engine cannot run),
    // so every runbook AWS accepts — the original sample's included — is accepted here too.
    const issues = type === 'Automation' ? validateRunbook(parsed, { forLocalEngine: true }) : validateCommandDocument(parsed);
    const errors = issues.filter((i) => (i.severity ?? 'error') === 'error');
    if (errors.length > 0) {
      throw ssmError('InvalidDocumentContent', `Document content is invalid: ${errors.map((i) => `${i.path}: ${i.message} (${i.code})`).join('; ')}`);
    }
    const source = { content, format, version, versionName, createdDate: new Date(this.#options.now()) };
    return type === 'Automation' ? automationVersion(source, parsed as Runbook) : commandVersion(source, parsed as CommandDocumentContent);
  }

  #require(nameOrArn: string): DocumentRecord {
    const name = documentNameOf(nameOrArn);
    const record = this.#docs.get(name) ?? this.#aws.get(name);
    if (record === undefined) throw ssmError('InvalidDocument', `Document with name ${name} does not exist.`);
    return record;
  }

  /** A document of this account: AWS-owned ones cannot be changed, shared or deleted. */
  #own(name: string, what: string): DocumentRecord {
    const record = this.#require(name);
    if (record.owner === 'Amazon') throw ssmError('InvalidDocumentOperation', `You can't ${what} the AWS-owned document ${record.name}.`);
    return record;
  }

  #version(record: DocumentRecord, version: string): VersionRecord {
    const key = version === '$LATEST' ? record.versions.at(-1)!.version : version === '$DEFAULT' ? record.defaultVersion : version;
    const found = record.versions.find((v) => v.version === key);
    if (found === undefined) throw ssmError('InvalidDocumentVersion', `Document ${record.name} has no version ${version}.`);
    return found;
  }

  #select(record: DocumentRecord, version: string | undefined, versionName: string | undefined): VersionRecord {
    if (versionName !== undefined) {
      const found = record.versions.find((v) => v.versionName === versionName);
      if (found === undefined) throw ssmError('InvalidDocumentVersion', `Document ${record.name} has no version named ${versionName}.`);
      return found;
    }
    return this.#version(record, version ?? '$DEFAULT');
  }

  #describe(record: DocumentRecord, version: VersionRecord): DocumentDescription {
    return {
      Hash: version.hash,
      HashType: 'Sha256',
      Name: record.name,
      ...(record.displayName === undefined ? {} : { DisplayName: record.displayName }),
      ...(version.versionName === undefined ? {} : { VersionName: version.versionName }),
      Owner: record.owner,
      CreatedDate: version.createdDate,
      Status: 'Active',
      DocumentVersion: version.version,
      ...(version.description === undefined ? {} : { Description: version.description }),
      Parameters: Object.entries(version.parameters).map(([Name, p]) => ({
        Name,
        Type: p.type,
        ...(p.description === undefined ? {} : { Description: p.description }),
        ...(p.default === undefined ? {} : { DefaultValue: typeof p.default === 'string' ? p.default : JSON.stringify(p.default) }),
      })),
      PlatformTypes: [...version.platformTypes],
      DocumentType: record.documentType,
      SchemaVersion: version.schemaVersion,
      LatestVersion: record.versions.at(-1)!.version,
      DefaultVersion: record.defaultVersion,
      DocumentFormat: version.format,
      ...(record.targetType === undefined ? {} : { TargetType: record.targetType }),
      Tags: structuredClone(record.tags),
    };
  }

  #identify(record: DocumentRecord): DocumentIdentifier {
    const version = this.#version(record, record.defaultVersion);
    return {
      Name: record.name,
      CreatedDate: record.createdDate,
      ...(record.displayName === undefined ? {} : { DisplayName: record.displayName }),
      Owner: record.owner,
      ...(version.versionName === undefined ? {} : { VersionName: version.versionName }),
      PlatformTypes: [...version.platformTypes],
      DocumentVersion: version.version,
      DocumentType: record.documentType,
      SchemaVersion: version.schemaVersion,
      DocumentFormat: version.format,
      ...(record.targetType === undefined ? {} : { TargetType: record.targetType }),
      Tags: structuredClone(record.tags),
    };
  }
}

function record(
  name: string,
  owner: string,
  documentType: DocumentType,
  version: VersionRecord,
  extra: { displayName?: string | undefined; targetType?: string | undefined; tags?: Tag[] },
): DocumentRecord {
  return {
    name,
    owner,
    documentType,
    createdDate: version.createdDate,
    versions: [version],
    defaultVersion: '1',
    displayName: extra.displayName,
    targetType: extra.targetType,
    tags: extra.tags ?? [],
    permissions: new DocumentPermissions(),
  };
}

/** Where a version's text came from and when: the part every version has, whatever its document type. */
interface VersionSource {
  readonly content: string;
  readonly format: DocumentFormat;
  readonly version: string;
  readonly versionName: string | undefined;
  readonly createdDate: Date;
}

function automationVersion(source: VersionSource, runbook: Runbook): VersionRecord {
  return {
    ...source,
    hash: sha256(source.content),
    schemaVersion: '0.3',
    description: runbook.description,
    parameters: runbook.parameters ?? {},
    platformTypes: AUTOMATION_PLATFORMS,
    runbook,
  };
}

function commandVersion(source: VersionSource, command: CommandDocumentContent): VersionRecord {
  const plugins = command.mainSteps !== undefined ? command.mainSteps.map((s) => s.action) : Object.keys(command.runtimeConfig ?? {});
  return {
    ...source,
    hash: sha256(source.content),
    schemaVersion: command.schemaVersion,
    description: command.description,
    parameters: command.parameters ?? {},
    // The union of the plugins' platforms, as DescribeDocument reports them (AWS-RunShellScript: Linux, MacOS).
    platformTypes: platformsOf(plugins),
    command,
  };
}

function checkDisplayName(displayName: string | undefined): void {
  if (displayName !== undefined && (typeof displayName !== 'string' || !DISPLAY_NAME_PATTERN.test(displayName))) {
    throw ssmError('ValidationException', `1 validation error detected: Value '${String(displayName)}' at 'displayName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\w\\.\\-\\:\\/ ]*$`);
  }
}

/** `PermissionType`: "The permission type can be Share" (DescribeDocumentPermission). */
function checkPermissionType(type: string): void {
  if (type !== 'Share') throw ssmError('InvalidPermissionType', `Permission type ${String(type)} is not valid; the permission type can be Share.`);
}

/** The version's content in the other of JSON and YAML. */
function convert(version: VersionRecord, format: DocumentFormat): string {
  if (format === 'TEXT') throw ssmError('InvalidDocumentOperation', `Document content cannot be returned as TEXT.`);
  const parsed = (version.runbook ?? version.command) as unknown as JsonValue;
  return format === 'JSON' ? JSON.stringify(parsed, null, 2) : stringifyYaml(parsed);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
