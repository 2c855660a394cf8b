/**
 * The AWS-owned documents the local engine knows, with their content as `GetDocument` returns it on AWS
 * (AWS-RunShellScript: aws-cli `examples/ssm/get-document.rst`; AWS-UpdateSSMAgent: the SSM API Reference's
 * GetDocument sample and the document's published parameters). They run through the same path as a user's Command
 * documents: AWS-RunShellScript and AWS-RunPowerShellScript run locally; AWS-UpdateSSMAgent's plugin,
 * `aws:updateSsmAgent`, cannot (there is no agent to update), so its invocations fail with a message that names it.
 * Any other AWS-owned document is `InvalidDocument`.
 */
import { ssmError } from '../../errors/ssm-errors.js';
import type { CommandDocumentContent } from '../../model/command-document.js';
import { commandDocument, type CommandDocument, type CommandDocumentResolver } from '../run-command/command-documents.js';

export interface AwsDocument {
  readonly name: string;
  /** JSON text, as AWS returns it (4-space indent, no space after the colon). */
  readonly content: string;
  readonly createdDate: Date;
}

/** `executionTimeout` allowedPattern, 1..172800 (AWS-RunShellScript, current version). */
const EXECUTION_TIMEOUT_PATTERN = '([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)';

/** AWS's style of document JSON: 4 spaces, `"key":value`. */
function awsJson(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(/^(\s*"[^"]*"): /gm, '$1:') + '\n';
}

function scriptDocument(plugin: string, description: string): string {
  return awsJson({
    schemaVersion: '1.2',
    description,
    parameters: {
      commands: { type: 'StringList', description: '(Required) Specify a shell script or a command to run.', minItems: 1, displayType: 'textarea' },
      workingDirectory: { type: 'String', default: '', description: '(Optional) The path to the working directory on your instance.', maxChars: 4096 },
      executionTimeout: {
        type: 'String',
        default: '3600',
        description:
          '(Optional) The time in seconds for a command to complete before it is considered to have failed. Default is 3600 (1 hour). Maximum is 172800 (48 hours).',
        allowedPattern: EXECUTION_TIMEOUT_PATTERN,
      },
    },
    runtimeConfig: {
      [plugin]: {
        properties: [
          { id: `0.${plugin}`, runCommand: '{{ commands }}', workingDirectory: '{{ workingDirectory }}', timeoutSeconds: '{{ executionTimeout }}' },
        ],
      },
    },
  });
}

const UPDATE_SSM_AGENT = awsJson({
  schemaVersion: '1.2',
  description: 'Update the Amazon SSM Agent to the latest version or specified version.',
  parameters: {
    version: {
      default: '',
      description: '(Optional) A specific version of the Amazon SSM Agent to install. If not specified, the agent will be updated to the latest version.',
      type: 'String',
    },
    allowDowngrade: {
      default: 'false',
      description:
        '(Optional) Allow the Amazon SSM Agent service to be downgraded to an earlier version. If set to false, the service can be upgraded to newer versions only (default). If set to true, specify the earlier version.',
      type: 'String',
      allowedValues: ['true', 'false'],
    },
  },
  runtimeConfig: {
    'aws:updateSsmAgent': {
      properties: [
        {
          agentName: 'amazon-ssm-agent',
          allowDowngrade: '{{ allowDowngrade }}',
          source: 'https://s3.{Region}.amazonaws.com/amazon-ssm-{Region}/ssm-agent-manifest.json',
          targetVersion: '{{ version }}',
        },
      ],
    },
  },
});

const CREATED = new Date('2017-08-31T00:00:00Z');

/** Registry of AWS-owned documents by name. No prototype: a document named `constructor` is simply not one of these. */
export const AWS_DOCUMENTS: Readonly<Record<string, AwsDocument>> = Object.assign(Object.create(null) as Record<string, AwsDocument>, {
  'AWS-RunShellScript': { name: 'AWS-RunShellScript', content: scriptDocument('aws:runShellScript', 'Run a shell script or specify the commands to run.'), createdDate: CREATED },
  'AWS-RunPowerShellScript': {
    name: 'AWS-RunPowerShellScript',
    content: scriptDocument('aws:runPowerShellScript', 'Run a PowerShell script or specify the paths to scripts to run.'),
    createdDate: CREATED,
  },
  'AWS-UpdateSSMAgent': { name: 'AWS-UpdateSSMAgent', content: UPDATE_SSM_AGENT, createdDate: CREATED },
});

/** The runnable form of each AWS-owned Command document, parsed once (they never change). */
const runnable = new Map<string, CommandDocument>();

/** An AWS-owned document as a Command document, or undefined for any other name. */
export function awsCommandDocument(name: string): CommandDocument | undefined {
  const aws = AWS_DOCUMENTS[name];
  if (aws === undefined) return undefined;
  let doc = runnable.get(name);
  if (doc === undefined) runnable.set(name, (doc = commandDocument(name, JSON.parse(aws.content) as CommandDocumentContent)));
  return doc;
}

/** Document name from a name or an ARN (`arn:aws:ssm:<region>:<account>:document/<name>`). */
export function documentNameOf(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
}

/**
 * The resolver a Run Command service uses when it has no document store (tests, benchmarks): the AWS-owned documents,
 * each with its one version.
 */
export const awsCommandDocuments: CommandDocumentResolver = (nameOrArn, version) => {
  const doc = awsCommandDocument(documentNameOf(nameOrArn));
  if (doc === undefined) throw ssmError('InvalidDocument', `Document ${nameOrArn} does not exist in the local engine.`);
  if (version !== undefined && version !== '$DEFAULT' && version !== '$LATEST' && version !== '1') {
    throw ssmError('InvalidDocumentVersion', `Document ${doc.name} has no version ${version}.`);
  }
  return { doc, version: '1' };
};
