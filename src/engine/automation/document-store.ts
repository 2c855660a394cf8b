/**
 * Automation documents with versions (`$LATEST`, `$DEFAULT`, numbered), loaded from JSON or YAML and validated with
 * `validateRunbook` before they are stored (CreateDocument, UpdateDocument, GetDocument, DescribeDocument,
 * ListDocuments, UpdateDocumentDefaultVersion, DeleteDocument). The AWS-owned Command documents the local Run
 * Command engine runs are visible read-only.
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { ssmError } from '../../errors/ssm-errors.js';
import type { Runbook } from '../../model/runbook.js';
import type {
  CreateDocumentRequest,
  DocumentDescription,
  DocumentFormat,
  DocumentIdentifier,
  GetDocumentResult,
  Tag,
  UpdateDocumentRequest,
} from '../../model/ssm.js';
import { validateRunbook } from '../../validate/runbook.js';
import { COMMAND_DOCUMENTS, commandDocumentContent } from '../run-command/command-documents.js';

/** CreateDocument `Name` pattern. */
const NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,128}$/;
/** Prefixes reserved for AWS-owned documents (aws-semantics §9). */
const RESERVED_PREFIXES = ['aws', 'amazon', 'amzn'];
/** "document content ≤ 64 KB" (CreateDocument). */
export const MAX_DOCUMENT_CONTENT_BYTES = 64 * 1024;

interface VersionRecord {
  readonly version: string;
  readonly content: string;
  readonly format: DocumentFormat;
  readonly runbook: Runbook;
  readonly createdDate: Date;
  readonly versionName?: string | undefined;
  readonly hash: string;
}

interface DocumentRecord {
  readonly name: string;
  readonly createdDate: Date;
  readonly versions: VersionRecord[];
  defaultVersion: string;
  readonly targetType?: string | undefined;
  readonly tags: Tag[];
}

export interface DocumentStoreOptions {
  readonly now: () => number;
  readonly accountId: string;
}

/** A runbook resolved for execution. */
export interface ResolvedRunbook {
  readonly name: string;
  readonly version: string;
  readonly runbook: Runbook;
}

export class DocumentStore {
  readonly #docs = new Map<string, DocumentRecord>();
  readonly #options: DocumentStoreOptions;

  constructor(options: DocumentStoreOptions) {
    this.#options = options;
  }

  CreateDocument(input: CreateDocumentRequest): { DocumentDescription: DocumentDescription } {
    if (typeof input.Name !== 'string' || !NAME_PATTERN.test(input.Name)) {
      throw ssmError('ValidationException', `Document name '${String(input.Name)}' must match ${NAME_PATTERN.source}.`);
    }
    if (RESERVED_PREFIXES.some((p) => input.Name.toLowerCase().startsWith(p)) || COMMAND_DOCUMENTS[input.Name] !== undefined) {
      throw ssmError('ValidationException', `Document names starting with aws, amazon or amzn are reserved: ${input.Name}.`);
    }
    const type = input.DocumentType ?? 'Command';
    if (type !== 'Automation') {
      throw ssmError('InvalidDocumentType', `The local engine stores Automation documents only; got DocumentType ${type}. Command documents other than ${Object.keys(COMMAND_DOCUMENTS).join(', ')} are not supported.`);
    }
    if (this.#docs.has(input.Name)) throw ssmError('DocumentAlreadyExists', `Document with same name ${input.Name} already exists.`);
    const version = this.#parse(input.Content, input.DocumentFormat ?? 'JSON', '1', input.VersionName);
    const record: DocumentRecord = {
      name: input.Name,
      createdDate: version.createdDate,
      versions: [version],
      defaultVersion: '1',
      targetType: input.TargetType,
      tags: structuredClone(input.Tags ?? []),
    };
    this.#docs.set(input.Name, record);
    return { DocumentDescription: this.#describe(record, version) };
  }

  UpdateDocument(input: UpdateDocumentRequest): { DocumentDescription: DocumentDescription } {
    const record = this.#require(input.Name);
    const latest = record.versions.at(-1)!;
    // "DocumentVersion … you can specify $LATEST or the latest version number" (UpdateDocument).
    if (input.DocumentVersion !== undefined && input.DocumentVersion !== '$LATEST' && input.DocumentVersion !== latest.version) {
      throw ssmError('InvalidDocumentVersion', `Document version ${input.DocumentVersion} is not the latest version of ${input.Name}.`);
    }
    const version = this.#parse(input.Content, input.DocumentFormat ?? latest.format, String(Number(latest.version) + 1), input.VersionName);
    if (record.versions.some((v) => v.hash === version.hash)) {
      throw ssmError('DuplicateDocumentContent', 'The content of the association document matches another document. Change the content of the document and try again.');
    }
    record.versions.push(version);
    return { DocumentDescription: this.#describe(record, version) };
  }

  UpdateDocumentDefaultVersion(input: { Name: string; DocumentVersion: string }): {
    Description: { Name: string; DefaultVersion: string; DefaultVersionName?: string };
  } {
    const record = this.#require(input.Name);
    const version = this.#version(record, input.DocumentVersion);
    record.defaultVersion = version.version;
    return {
      Description: { Name: record.name, DefaultVersion: version.version, ...(version.versionName === undefined ? {} : { DefaultVersionName: version.versionName }) },
    };
  }

  DeleteDocument(input: { Name: string; DocumentVersion?: string; VersionName?: string; Force?: boolean }): Record<string, never> {
    if (COMMAND_DOCUMENTS[input.Name] !== undefined) throw ssmError('InvalidDocumentOperation', `You can't delete the AWS-owned document ${input.Name}.`);
    const record = this.#require(input.Name);
    if (input.DocumentVersion === undefined && input.VersionName === undefined) {
      this.#docs.delete(input.Name);
      return {};
    }
    const version = input.DocumentVersion !== undefined ? this.#version(record, input.DocumentVersion) : record.versions.find((v) => v.versionName === input.VersionName);
    if (version === undefined) throw ssmError('InvalidDocumentVersion', `Document ${input.Name} has no version named ${String(input.VersionName)}.`);
    if (version.version === record.defaultVersion) throw ssmError('InvalidDocumentOperation', `You can't delete the default version of ${input.Name}.`);
    record.versions.splice(record.versions.indexOf(version), 1);
    return {};
  }

  GetDocument(input: { Name: string; DocumentVersion?: string; VersionName?: string; DocumentFormat?: DocumentFormat }): GetDocumentResult {
    const builtIn = COMMAND_DOCUMENTS[input.Name];
    if (builtIn !== undefined) {
      return { Name: builtIn.name, CreatedDate: builtIn.createdDate, DocumentVersion: '1', Status: 'Active', Content: commandDocumentContent(builtIn), DocumentType: 'Command', DocumentFormat: 'JSON' };
    }
    const record = this.#require(input.Name);
    const version = this.#select(record, input.DocumentVersion, input.VersionName);
    return {
      Name: record.name,
      CreatedDate: version.createdDate,
      ...(version.versionName === undefined ? {} : { VersionName: version.versionName }),
      DocumentVersion: version.version,
      Status: 'Active',
      Content: version.content,
      DocumentType: 'Automation',
      DocumentFormat: version.format,
    };
  }

  DescribeDocument(input: { Name: string; DocumentVersion?: string; VersionName?: string }): { Document: DocumentDescription } {
    const builtIn = COMMAND_DOCUMENTS[input.Name];
    if (builtIn !== undefined) {
      const content = commandDocumentContent(builtIn);
      return {
        Document: {
          Hash: sha256(content),
          HashType: 'Sha256',
          Name: builtIn.name,
          Owner: 'Amazon',
          CreatedDate: builtIn.createdDate,
          Status: 'Active',
          DocumentVersion: '1',
          Description: builtIn.description,
          Parameters: Object.entries(builtIn.parameters).map(([Name, p]) => ({ Name, Type: p.type, Description: p.description, ...(p.default === undefined ? {} : { DefaultValue: p.default }) })),
          PlatformTypes: [...builtIn.platformTypes],
          DocumentType: 'Command',
          SchemaVersion: '1.2',
          LatestVersion: '1',
          DefaultVersion: '1',
          DocumentFormat: 'JSON',
          Tags: [],
        },
      };
    }
    const record = this.#require(input.Name);
    return { Document: this.#describe(record, this.#select(record, input.DocumentVersion, input.VersionName)) };
  }

  ListDocuments(): { DocumentIdentifiers: DocumentIdentifier[] } {
    const own: DocumentIdentifier[] = [...this.#docs.values()].map((record) => {
      const version = this.#version(record, record.defaultVersion);
      return {
        Name: record.name,
        CreatedDate: record.createdDate,
        Owner: this.#options.accountId,
        ...(version.versionName === undefined ? {} : { VersionName: version.versionName }),
        PlatformTypes: ['Windows', 'Linux', 'MacOS'],
        DocumentVersion: version.version,
        DocumentType: 'Automation',
        SchemaVersion: '0.3',
        DocumentFormat: version.format,
        ...(record.targetType === undefined ? {} : { TargetType: record.targetType }),
        Tags: structuredClone(record.tags),
      };
    });
    const amazon: DocumentIdentifier[] = Object.values(COMMAND_DOCUMENTS).map((d) => ({
      Name: d.name,
      CreatedDate: d.createdDate,
      Owner: 'Amazon',
      PlatformTypes: [...d.platformTypes],
      DocumentVersion: '1',
      DocumentType: 'Command',
      SchemaVersion: '1.2',
      DocumentFormat: 'JSON',
      Tags: [],
    }));
    return { DocumentIdentifiers: [...own, ...amazon] };
  }

  /** Resolves a document for StartAutomationExecution. */
  resolveForExecution(name: string, version: string | undefined): ResolvedRunbook {
    const record = this.#docs.get(name.startsWith('arn:') ? name.slice(name.lastIndexOf('/') + 1) : name);
    if (record === undefined) throw ssmError('AutomationDefinitionNotFoundException', `Automation definition ${name} not found.`);
    let selected: VersionRecord | undefined;
    if (version === undefined || version === '$DEFAULT') selected = record.versions.find((v) => v.version === record.defaultVersion);
    else if (version === '$LATEST') selected = record.versions.at(-1);
    else selected = record.versions.find((v) => v.version === version);
    if (selected === undefined) throw ssmError('AutomationDefinitionVersionNotFoundException', `Automation definition ${name} has no version ${String(version)}.`);
    return { name: record.name, version: selected.version, runbook: selected.runbook };
  }

  #parse(content: string, format: DocumentFormat, version: string, versionName: string | undefined): VersionRecord {
    if (typeof content !== 'string' || content.length === 0) throw ssmError('InvalidDocumentContent', 'Content is required.');
    if (Buffer.byteLength(content, 'utf8') > MAX_DOCUMENT_CONTENT_BYTES) {
      throw ssmError('MaxDocumentSizeExceeded', `Document content exceeds the ${MAX_DOCUMENT_CONTENT_BYTES}-byte limit.`);
    }
    if (format === 'TEXT') throw ssmError('InvalidDocumentContent', 'Automation documents must be JSON or YAML.');
    let parsed: unknown;
    try {
      parsed = format === 'JSON' ? JSON.parse(content) : parseYaml(content, { strict: true, uniqueKeys: true });
    } catch (error) {
      throw ssmError('InvalidDocumentContent', `Content is not valid ${format}: ${(error as Error).message}`);
    }
    // Local-engine mode reports as errors only what AWS rejects at creation (and actions the engine cannot run),
    // so every runbook AWS accepts — the original sample's included — is accepted here too.
    const errors = validateRunbook(parsed, { forLocalEngine: true }).filter((i) => (i.severity ?? 'error') === 'error');
    if (errors.length > 0) {
      throw ssmError('InvalidDocumentContent', `Document content is invalid: ${errors.map((i) => `${i.path}: ${i.message} (${i.code})`).join('; ')}`);
    }
    return { version, content, format, runbook: parsed as Runbook, createdDate: new Date(this.#options.now()), versionName, hash: sha256(content) };
  }

  #require(name: string): DocumentRecord {
    const record = this.#docs.get(name);
    if (record === undefined) throw ssmError('InvalidDocument', `Document with name ${name} does not exist.`);
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
    const params = version.runbook.parameters ?? {};
    return {
      Hash: version.hash,
      HashType: 'Sha256',
      Name: record.name,
      ...(version.versionName === undefined ? {} : { VersionName: version.versionName }),
      Owner: this.#options.accountId,
      CreatedDate: version.createdDate,
      Status: 'Active',
      DocumentVersion: version.version,
      ...(version.runbook.description === undefined ? {} : { Description: version.runbook.description }),
      Parameters: Object.entries(params).map(([Name, p]) => ({
        Name,
        Type: p.type,
        ...(p.description === undefined ? {} : { Description: p.description }),
        ...(p.default === undefined ? {} : { DefaultValue: typeof p.default === 'string' ? p.default : JSON.stringify(p.default) }),
      })),
      PlatformTypes: ['Windows', 'Linux', 'MacOS'],
      DocumentType: 'Automation',
      SchemaVersion: '0.3',
      LatestVersion: record.versions.at(-1)!.version,
      DefaultVersion: record.defaultVersion,
      DocumentFormat: version.format,
      ...(record.targetType === undefined ? {} : { TargetType: record.targetType }),
      Tags: structuredClone(record.tags),
    };
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
