/** What `npm run generate` derives from the registry and keeps in the repository is up to date. */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { OPERATION_IDS, operations } from '../functions/registry';
import { withIdempotencyKey } from '../functions/registry/with-idempotency-key';
import { README, readmeWithTable } from '../local/readme-table';
import { ENTRIES_DIR, generatedFiles, staleGeneratedFiles, VALIDATORS_DIR } from '../local/generate';

const ROOT = `${__dirname}/..`;

test('the README operation table is the one the registry generates (run `npm run generate` after changing the registry)', () => {
  const readme = readFileSync(README, 'utf8');
  expect(readme).toBe(readmeWithTable(readme));
  expect(readme.match(/^\| `[a-z]+\.[A-Za-z]+` \|/gm)).toHaveLength(OPERATION_IDS.length);
});

test('the precompiled validators and the function entries are the ones the registry generates (run `npm run generate` after changing the registry)', () => {
  const files = generatedFiles();
  // one validator and one entry per operation, and the index of the validators
  expect(files.size).toBe(2 * OPERATION_IDS.length + 1);
  const outdated = [...files].filter(([file, content]) => {
    try {
      return readFileSync(file, 'utf8') !== content;
    } catch {
      return true;
    }
  });
  expect(outdated.map(([file]) => relative(ROOT, file))).toEqual([]);
  // and nothing left over from an operation since removed or renamed
  expect(staleGeneratedFiles(files).map((file) => relative(ROOT, file))).toEqual([]);
  expect([VALIDATORS_DIR, ENTRIES_DIR].map((dir) => relative(ROOT, dir))).toEqual(['functions/registry/validators', 'functions/entries']);
});

test("each entry hands its function exactly the registry's operation and that operation's validator", () => {
  for (const id of ['contact.get', 'message.sendText', 'send.templateBatch'] as const) {
    const entry = readFileSync(`${ROOT}/functions/entries/${id}.ts`, 'utf8');
    // The spec the entry builds is the registry's (same inputs, idempotencyKey on sends and creates).
    const own = /import \{ (\w+) \} from '\.\.\/registry\/operations\/(\w+)'/.exec(entry)!;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const declared = require(`../functions/registry/operations/${own[2]}`)[own[1]];
    expect(entry).toContain(`createHandler(withIdempotencyKey(${own[1]}), { validate })`);
    expect(withIdempotencyKey(declared)).toEqual(operations[id]);
    expect(entry).toContain(`require('../registry/validators/${id}.js')`);
  }
});
