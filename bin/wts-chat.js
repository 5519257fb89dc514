#!/usr/bin/env node
'use strict';
/**
 * `npx wts-chat …`: runs local/cli.ts through tsx (TypeScript compiled on the fly by esbuild),
 * resolved from this repository so it works from any working directory.
 */
const path = require('node:path');

const root = path.resolve(__dirname, '..');
require(require.resolve('tsx/cjs/api', { paths: [root] })).register();
require(path.join(root, 'local', 'cli.ts')).main(process.argv.slice(2));
