/**
 * Synthesizes the example offline: `npm run synth` writes cdk.out/ShellStepExample.template.json
 * (no AWS account, no CDK CLI). Deploy it, in a CDK-bootstrapped account, with `npx cdk deploy` (cdk.json) or
 * `aws cloudformation deploy --template-file cdk.out/ShellStepExample.template.json --stack-name ShellStepExample --capabilities CAPABILITY_IAM`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ShellStepExampleStack } from './stack.js';

const app = new App({ outdir: process.env['CDK_OUTDIR'] ?? 'cdk.out' });
// Synthesis fails on any AwsSolutions finding that is not acknowledged with a reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const stack = new ShellStepExampleStack(app, 'ShellStepExample');
const assembly = app.synth();
console.log(assembly.getStackArtifact(stack.artifactId).templateFullPath);
