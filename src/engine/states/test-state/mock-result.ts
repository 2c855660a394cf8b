/**
 * `mock.fieldValidationMode`: a mocked Task result checked against the response model of the API the Task calls.
 * "STRICT: All required fields must be present, and all present fields must conform to the API's schema. PRESENT:
 * All present fields must conform to the API's schema. NONE: No validation is performed" (API_MockInput.html).
 * Fields the model does not have are accepted, and member names are matched as Step Functions spells them (the
 * first letter upper case: `ExecutionArn` for Step Functions' `executionArn`). Messages as AWS words them (recorded).
 */
import type { JsonObject, JsonValue } from '../../../model/json.js';
import { isJsonObject } from '../../../model/json.js';
import { ServiceError } from '../../../errors/service-error.js';
import { outputModel, type OutputModel, type OutputShape } from '../../../validate/aws-api-outputs.js';
import { findSdkOperation, findSdkService } from '../../../validate/aws-sdk-models.js';
import { parseResource } from '../integrations/index.js';
import type { FieldValidationMode } from './request.js';

/** Throws the ValidationException AWS answers for a mocked result that does not fit the Task's API. */
export async function validateMockResult(resource: string, result: JsonValue, mode: FieldValidationMode): Promise<void> {
  if (mode === 'NONE') return;
  const api = await apiOf(resource);
  if (api === undefined) return;
  new ResultCheck(api.model, mode === 'STRICT', api.payload).value(result, api.model.shape, undefined);
}

/**
 * The API a Task resource calls: `aws-sdk:<service>:<action>` and optimized integrations (`lambda:invoke`,
 * `dynamodb:putItem`, `states:startExecution`…) alike. A `.sync` or `.waitForTaskToken` Task's result is a job's
 * description or a callback's output, not the API's response, and resources with no API model (`apigateway:invoke`,
 * `http:invoke`, Lambda function and activity ARNs) are not checked (UNCONFIRMED, docs/fidelity.md).
 */
async function apiOf(resource: string): Promise<{ model: OutputModel; payload: string | undefined } | undefined> {
  const parsed = parseResource(resource);
  if (parsed === undefined || parsed.pattern !== 'REQUEST_RESPONSE' || parsed.service === undefined || parsed.action === undefined) return undefined;
  // `states`, `events`, `sfn`, `elasticmapreduce`…: the index knows every spelling of a service.
  const service = findSdkService(parsed.service);
  const operation = service === undefined ? undefined : findSdkOperation(service, parsed.action);
  const model = service === undefined || operation === undefined ? undefined : await outputModel(service.key, operation.name);
  if (model === undefined) return undefined;
  // An optimized integration returns the response payload as JSON (a Lambda Invoke's Payload), not as the API's blob.
  const payload = parsed.family === 'aws-sdk' ? undefined : model.shape.payload;
  return { model, payload };
}

/** `executionArn` → `ExecutionArn`: how Step Functions spells the members of a result. */
function sfnCased(member: string): string {
  return member.charAt(0).toUpperCase() + member.slice(1);
}

class ResultCheck {
  constructor(
    readonly model: OutputModel,
    readonly strict: boolean,
    /** The response's payload member, which holds any JSON. */
    readonly payload: string | undefined,
  ) {}

  value(value: JsonValue, shape: OutputShape, field: string | undefined): void {
    // A null is an absent member (UNCONFIRMED, docs/fidelity.md).
    if (value === null) return;
    switch (shape.type) {
      case 'document':
        return;
      case 'structure':
      case 'union':
        if (!isJsonObject(value)) throw field === undefined ? invalid('Mocked result must be a JSON object') : typeError(field, 'an object');
        return this.structure(value, shape, field === undefined);
      case 'list':
        if (!Array.isArray(value)) throw typeError(field, 'an array');
        for (const item of value) this.value(item, this.model.resolve(shape.member ?? 'document'), field);
        return;
      case 'map':
        if (!isJsonObject(value)) throw typeError(field, 'an object');
        for (const item of Object.values(value)) this.value(item, this.model.resolve(shape.value ?? 'document'), field);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') throw typeError(field, 'a boolean');
        return;
      case 'integer':
      case 'long':
      case 'float':
      case 'double':
        if (typeof value !== 'number') throw typeError(field, 'a number');
        if (shape.min !== undefined && value < shape.min) throw invalid(`Field '${field ?? ''}' is less than the minimum value`);
        if (shape.max !== undefined && value > shape.max) throw invalid(`Field '${field ?? ''}' exceeds the maximum value`);
        return;
      default:
        // string, timestamp and blob are JSON strings in a Task's result.
        if (typeof value !== 'string') throw typeError(field, 'a string');
        if (shape.enum !== undefined && !shape.enum.includes(value)) throw invalid(`Field '${field ?? ''}' is not an expected value`);
        if (shape.min !== undefined && value.length < shape.min) throw invalid(`Field '${field ?? ''}' is smaller than the minimum length`);
        // UNCONFIRMED wording (docs/fidelity.md): the cases record only the minimum.
        if (shape.max !== undefined && value.length > shape.max) throw invalid(`Field '${field ?? ''}' exceeds the maximum length`);
    }
  }

  structure(value: JsonObject, shape: OutputShape, top: boolean): void {
    const members = new Map(Object.entries(shape.members ?? {}).map(([name, reference]) => [sfnCased(name), { name, reference }]));
    if (this.strict) {
      for (const name of shape.required ?? []) {
        const key = sfnCased(name);
        if (value[key] === undefined || value[key] === null) throw invalid(`Required field '${key}' is missing`);
      }
    }
    for (const [key, item] of Object.entries(value)) {
      const member = members.get(key);
      // "Fields that are present in the mock but are not in the API's model" are accepted (recorded: {"random": "json"}).
      if (member === undefined) continue;
      if (top && member.name === this.payload) continue;
      this.value(item, this.model.resolve(member.reference), key);
    }
  }
}

function typeError(field: string | undefined, expected: string): ServiceError {
  return invalid(`Field '${field ?? ''}' must be ${expected}`);
}

function invalid(detail: string): ServiceError {
  return new ServiceError('ValidationException', `Mock result schema validation error: ${detail}`);
}
