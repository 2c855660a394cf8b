import { describe, expect, test } from 'vitest';
import { MissingSdkError, SdkApi, SDK_INSTALL_COMMAND } from '../../../src/cli/live/api-caller.js';

describe('the SDK client loader', () => {
  test('should say in one line what to install when a client package is missing', async () => {
    const missing = async (pkg: string) => {
      throw Object.assign(new Error(`Cannot find package '${pkg}' imported from /x.js`), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    const error = await SdkApi.open({ endpointUrl: 'http://127.0.0.1:1' }, ['cloudformation'], missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingSdkError);
    expect((error as Error).message).toBe(
      `@aws-sdk/client-cloudformation is not installed: commands that talk to AWS or to an endpoint use the AWS SDK for JavaScript v3 (${SDK_INSTALL_COMMAND})`,
    );
    expect(SDK_INSTALL_COMMAND).toBe('npm install @aws-sdk/client-cloudformation @aws-sdk/client-sfn @aws-sdk/client-ssm');
  });

  test('should pass on other import failures as they are', async () => {
    const broken = async () => {
      throw new SyntaxError('Unexpected token');
    };
    await expect(SdkApi.open({}, ['sfn'], broken)).rejects.toThrow(SyntaxError);
  });

  test('should call an endpoint through the installed clients without printing the SDK\'s Node version warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const api = await SdkApi.open({ endpointUrl: 'http://127.0.0.1:9' }, ['sfn']);
      // Nothing listens on port 9: the call fails, after the client was made.
      await expect(api.call('sfn', 'ListStateMachines', {})).rejects.toThrow();
      api.close();
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.includes('NodeVersionSupportWarning'))).toEqual([]);
    expect(process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED']).toBeUndefined();
  });
});
