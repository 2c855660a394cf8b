/** SSM documents: the store (Automation and Command documents, versions, sharing), AWS-owned documents, parameters. */
export { DocumentStore, MAX_DOCUMENT_CONTENT_BYTES, type DocumentStoreOptions, type ResolvedRunbook } from './document-store.js';
export { AWS_DOCUMENTS, awsCommandDocument, awsCommandDocuments, documentNameOf } from './aws-documents.js';
export { allowedPatternRegex, cachedPatternCount, MAX_CACHED_PATTERNS, resolveDocumentParameters } from './document-parameters.js';
