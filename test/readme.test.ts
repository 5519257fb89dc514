import { readFileSync } from 'node:fs';
import { README, readmeWithTable } from '../local/readme-table';

test('the README operation table is the one the registry generates (run `npm run readme` after changing the registry)', () => {
  const readme = readFileSync(README, 'utf8');
  expect(readme).toBe(readmeWithTable(readme));
  expect(readme.match(/^\| `[a-z]+\.[A-Za-z]+` \|/gm)).toHaveLength(39);
});
