#!/usr/bin/env node
'use strict';
/**
 * `npx wts-chat …`: runs local/cli.ts through @swc-node/register (TypeScript compiled on the fly),
 * resolved from this repository so it works from any working directory.
 */
const path = require('node:path');

const root = path.resolve(__dirname, '..');
// swc-node reads the tsconfig of the working directory unless told otherwise.
if (!process.env.SWC_NODE_PROJECT && !process.env.TS_NODE_PROJECT) process.env.SWC_NODE_PROJECT = path.join(root, 'tsconfig.json');
require(require.resolve('@swc-node/register', { paths: [root] }));
require(path.join(root, 'local', 'cli.ts')).main(process.argv.slice(2));
