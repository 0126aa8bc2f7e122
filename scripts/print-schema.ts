/** Writes schema.graphql from the Pothos schema; with --check, fails when the file is stale. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSortedSchema } from '../server/graphql/schema.js';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../schema.graphql');
const printed = `${printSortedSchema()}\n`;
if (process.argv.includes('--check')) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (current !== printed) {
    console.error('schema.graphql is stale: run `npm run schema:print`');
    process.exit(1);
  }
  console.log('schema.graphql is up to date');
} else {
  fs.writeFileSync(file, printed);
  console.log(`wrote ${file}`);
}
