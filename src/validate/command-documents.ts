/**
 * Parameters of the AWS-owned Command documents that runbooks commonly call through `aws:runCommand`, so that
 * validation can catch the creation-time type check AWS applies to `aws:runCommand` parameters.
 * Source: `aws ssm get-document --name AWS-RunShellScript` (aws-cli examples; aws-semantics §6.1).
 */
export const COMMAND_DOCUMENT_PARAMETERS: Readonly<Record<string, Readonly<Record<string, 'String' | 'StringList'>>>> = {
  'AWS-RunShellScript': { commands: 'StringList', workingDirectory: 'String', executionTimeout: 'String' },
  'AWS-RunPowerShellScript': { commands: 'StringList', workingDirectory: 'String', executionTimeout: 'String' },
};
