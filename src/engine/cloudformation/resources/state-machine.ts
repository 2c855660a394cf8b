/**
 * AWS::StepFunctions::StateMachine, created through the local Step Functions service. `Definition` (an
 * object) or `DefinitionString`, with `DefinitionSubstitutions` applied to `${key}` placeholders.
 */
import { isJsonObject, type JsonObject } from '../../../model/json.js';
import { validationError } from '../intrinsics.js';
import { generatedName, replacement, type ProviderContext, type ResourceProvider } from './provider.js';

function definition(properties: JsonObject): string {
  let text: string;
  if (properties['Definition'] !== undefined) text = JSON.stringify(properties['Definition']);
  else if (typeof properties['DefinitionString'] === 'string') text = properties['DefinitionString'];
  else if (properties['DefinitionS3Location'] !== undefined) throw validationError('DefinitionS3Location is not supported by the shellstep local engine; use Definition or DefinitionString.');
  else throw validationError('A state machine needs Definition or DefinitionString.');
  const substitutions = isJsonObject(properties['DefinitionSubstitutions']) ? properties['DefinitionSubstitutions'] : {};
  return text.replace(/\$\{([^}]+)\}/g, (whole, key: string) => {
    const value = substitutions[key];
    if (value === undefined) return whole;
    // Inside a JSON string literal the value must stay a valid string body.
    return JSON.stringify(String(value)).slice(1, -1);
  });
}

export const stateMachine: ResourceProvider = {
  async create(properties, context: ProviderContext) {
    const name = typeof properties['StateMachineName'] === 'string' ? properties['StateMachineName'] : generatedName(context, 80);
    const request: JsonObject = {
      name,
      definition: definition(properties),
      roleArn: String(properties['RoleArn'] ?? ''),
      type: typeof properties['StateMachineType'] === 'string' ? properties['StateMachineType'] : 'STANDARD',
    };
    const created = (await context.api.call('sfn', 'CreateStateMachine', request)) as JsonObject;
    const arn = String(created['stateMachineArn']);
    return { physicalId: arn, attributes: { Arn: arn, Name: name, StateMachineRevisionId: arn } };
  },
  async update(current, properties, previous, context) {
    if (properties['StateMachineName'] !== previous['StateMachineName'] || properties['StateMachineType'] !== previous['StateMachineType']) {
      replacement('StateMachineName', properties, previous);
    }
    await context.api.call('sfn', 'UpdateStateMachine', {
      stateMachineArn: current.physicalId,
      definition: definition(properties),
      roleArn: String(properties['RoleArn'] ?? ''),
    });
    return current;
  },
  async delete(current, _properties, context) {
    await context.api.call('sfn', 'DeleteStateMachine', { stateMachineArn: current.physicalId });
  },
};
