/**
 * shellstep's public library API. Explicit named exports only (style-anchors §3.13); the CDK constructs are
 * `shellstep/cdk`, so that this entry never loads aws-cdk-lib.
 */
// The whole local engine, and the endpoint in front of it.
export { LocalEngine } from './engine/local-engine.js';
export type { LocalEngineOptions, DeployOptions, DeployedStack } from './engine/local-engine.js';
export { startLocalEndpoint } from './server/local-endpoint.js';
export type { LocalEndpointOptions } from './server/local-endpoint.js';
export type { LocalEndpoint, RequestContext } from './server/server.js';
export type { Caller, CredentialScope } from './server/trust-boundary.js';
export { CredentialRegistry, parseSharedCredentials } from './engine/iam/credential-registry.js';
export type { AccessKey, Principal } from './engine/iam/credential-registry.js';

// The services on their own, for tests that need one.
export { SsmService } from './engine/ssm-service.js';
export type { SsmServiceOptions } from './engine/ssm-service.js';
export { StepFunctionsService } from './engine/states/service.js';
export type { StepFunctionsServiceOptions } from './engine/states/service.js';
export { InstanceRegistry } from './engine/instances/instance-registry.js';
// Step Functions testing: TestState's request and response, and Step Functions Local mock configurations.
export type { TestStateInput, TestStateOutput, InspectionData, InspectionErrorDetails, TestExecutionStatus } from './engine/states/test-state/index.js';
export { MockConfig, MockConfigError } from './engine/states/mock-config/index.js';
export type { AddInstanceOptions } from './engine/instances/instance-registry.js';

// Time, ids and the port between services.
export { RealClock, VirtualClock } from './engine/clock.js';
export type { Clock, VirtualClockOptions } from './engine/clock.js';
export type { AwsApi, AwsCallContext } from './engine/aws-api.js';

// The runbooks and templates as typed data, and validation.
export { buildRunbook, ERROR_NAMES, RUNBOOK_NAMES } from './definitions/runbooks.js';
export type { TargetMode } from './definitions/runbooks.js';
export { runbooksTemplate, sampleStackTemplate } from './definitions/templates.js';
export { validateFile, validateDocument, detectKind } from './validate/index.js';
export type { DocumentKind, FileValidation } from './validate/index.js';
export type { ValidationIssue } from './validate/issue.js';

// Errors named as AWS names them.
export { ServiceError, isServiceError } from './errors/service-error.js';

export type { Runbook, RunbookParameter, RunbookStep } from './model/runbook.js';
export type { JsonValue, JsonObject } from './model/json.js';
