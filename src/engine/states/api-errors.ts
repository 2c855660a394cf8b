/**
 * The errors of the Step Functions API, worded as AWS words them (each message recorded in AWS's API suites unless
 * its comment says otherwise).
 */
import { ServiceError } from '../../errors/service-error.js';

/** AWS's front-end constraint message: "1 validation error detected: Value ... at ...; Value ...". */
export function validationErrors(violations: readonly string[]): ServiceError {
  const count = violations.length;
  return new ServiceError('ValidationException', `${count} validation error${count === 1 ? '' : 's'} detected: ${violations.join('; ')}`);
}

/** One constraint violation of one member, as its own ValidationException. */
export function validation(member: string, constraint: string, value?: unknown): ServiceError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return validationErrors([`Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`]);
}

/** A required member (the server's shape check catches it first on the wire; library callers reach this). */
export function required(value: string | undefined, member: string): string {
  if (value === undefined || value === null) throw validation(member, 'Member must not be null');
  if (typeof value !== 'string') throw validation(member, 'Member must be a string', value);
  return value;
}

export function typeNotSupported(): ServiceError {
  return new ServiceError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
}

export function invalidName(name: string): ServiceError {
  return new ServiceError('InvalidName', `Invalid Name: '${name}'`);
}

export function stateMachineDoesNotExist(arn: string): ServiceError {
  return new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
}

export function executionDoesNotExist(arn: string): ServiceError {
  return new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
}

export function activityDoesNotExist(arn: string): ServiceError {
  return new ServiceError('ActivityDoesNotExist', `Activity Does Not Exist: '${arn}'`);
}

/** "Resource not found: '<arn>'" (TagResource on a version ARN). */
export function resourceNotFound(arn: string): ServiceError {
  return new ServiceError('ResourceNotFound', `Resource not found: '${arn}'`);
}

/** "Request references a resource that does not exist." (UpdateStateMachineAlias of a deleted alias). */
export function aliasNotFound(): ServiceError {
  return new ServiceError('ResourceNotFound', 'Request references a resource that does not exist.');
}

export function conflict(message: string): ServiceError {
  return new ServiceError('ConflictException', message);
}

/** A plain ValidationException with AWS's own sentence (not a member constraint). */
export function validationMessage(message: string): ServiceError {
  return new ServiceError('ValidationException', message);
}

/** A page token or task token that is not one the service issued: "Invalid Token: 'Invalid token'" (recorded for both). */
export function invalidToken(): ServiceError {
  return new ServiceError('InvalidToken', "Invalid Token: 'Invalid token'");
}
