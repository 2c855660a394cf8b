/** Prints every aws-examples case's problems: `npx tsx test/conformance/run-aws-examples.ts [filter]`. */
import { describeProblems, runAwsExamples } from './aws-examples-cases.js';

const run = await runAwsExamples(process.argv[2]);
for (const r of run.results) console.log(`${r.ok ? 'PASS' : 'FAIL'} ${r.id}${r.ok ? '' : `\n     ${describeProblems(r)}`}`);
process.stderr.write(run.stderr);
