/**
 * SSM service errors, named exactly as the SSM API names them (botocore `ssm/2014-11-06/service-2.json`;
 * aws-sdk-js-v3 `clients/client-ssm/src/models/errors.ts`). Each factory returns a `ServiceError` whose `name` is
 * the wire `__type`.
 */
import { ServiceError } from './service-error.js';

/** Every SSM error code the local engine can return. */
export type SsmErrorCode =
  | 'InvalidInstanceId'
  | 'InvalidDocument'
  | 'InvalidDocumentVersion'
  | 'InvalidDocumentContent'
  | 'InvalidDocumentType'
  | 'InvalidDocumentOperation'
  | 'DocumentAlreadyExists'
  | 'DocumentVersionLimitExceeded'
  | 'DuplicateDocumentVersionName'
  | 'InvalidPermissionType'
  | 'DocumentPermissionLimit'
  | 'DuplicateDocumentContent'
  | 'MaxDocumentSizeExceeded'
  | 'InvalidParameters'
  | 'InvalidCommandId'
  | 'InvocationDoesNotExist'
  | 'InvalidPluginName'
  | 'InvalidTarget'
  | 'InvalidOutputFolder'
  | 'InvalidFilterKey'
  | 'InvalidFilter'
  | 'InvalidNextToken'
  | 'InvalidInstanceInformationFilterValue'
  | 'UnsupportedPlatformType'
  | 'ValidationException'
  | 'AutomationDefinitionNotFoundException'
  | 'AutomationDefinitionVersionNotFoundException'
  | 'InvalidAutomationExecutionParametersException'
  | 'AutomationExecutionNotFoundException'
  | 'AutomationExecutionLimitExceededException'
  | 'InvalidAutomationStatusUpdateException'
  | 'AutomationStepNotFoundException'
  | 'InternalServerError';

/** Builds the SSM error `code` with an AWS-style message. */
export function ssmError(code: SsmErrorCode, message: string, cause?: unknown): ServiceError {
  return new ServiceError(
    code,
    message,
    code === 'InternalServerError' ? { fault: 'server', cause } : cause === undefined ? {} : { cause },
  );
}
