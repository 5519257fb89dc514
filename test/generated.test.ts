/** What `npm run generate` derives from the registry and keeps in the repository is up to date. */
import { readFileSync } from 'node:fs';
import { OPERATION_IDS } from '../functions/registry';
import { README, readmeWithTable } from '../local/readme-table';
import { VALIDATORS_FILE, validatorsSource } from '../local/generate';

test('the README operation table is the one the registry generates (run `npm run generate` after changing the registry)', () => {
  const readme = readFileSync(README, 'utf8');
  expect(readme).toBe(readmeWithTable(readme));
  expect(readme.match(/^\| `[a-z]+\.[A-Za-z]+` \|/gm)).toHaveLength(OPERATION_IDS.length);
});

test('the precompiled validators are the ones the registry generates (run `npm run generate` after changing the registry)', () => {
  expect(readFileSync(VALIDATORS_FILE, 'utf8')).toBe(validatorsSource());
});
