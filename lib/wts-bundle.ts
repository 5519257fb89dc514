/**
 * Each function's own bundle: esbuild's API, run locally (never Docker) through a CDK asset's local
 * bundling, so a function ships only what its operation runs.
 *
 * The operations' entries (functions/entries/, generated) are built together, one esbuild run per kind
 * of function (what it loads lazily: idempotency, files from S3): the first function of a kind bundles
 * all of that kind at once and the others copy their file, which keeps `cdk synth` of 70 functions fast.
 *
 * What a function never runs is left out of its bundle, each replaced by a module that says so if it
 * were ever reached:
 * - the full registry and the index of every validator (an entry hands its own spec and validator);
 * - the idempotency middleware (Powertools, DynamoDB) in read-only functions, the S3 client in functions
 *   that take no `fileS3`, the inline file upload where the operation uploads none: the handler
 *   `require()`s them lazily, so only the bundle decides;
 * - the SDK's JavaScript SHA-256 (used only where `node:crypto` has none; Node.js on Lambda has it);
 * - undici's llhttp (SIMD) ships as a binary file next to index.js, read on the first request, instead of
 *   base64 text parsed with the bundle at every cold start;
 * - undici's non-SIMD llhttp (undici loads it only when WebAssembly SIMD is missing; Lambda's x86_64 and
 *   arm64 CPUs have it), its HTTP/2 client (undici 7 negotiates HTTP/2 only with `allowH2`, never set
 *   here) and its fetch body code (only for FormData bodies; WTS gets JSON or bytes);
 * - the SDK's event-stream code (loaded only for an operation with an event stream; none is called here);
 * - of each SDK client's package.json, all but its name and version (the user agent's only use of it);
 * - the SDK's default credential chain (SSO, INI files, STS, IMDS…): in Lambda the credentials are in
 *   the environment, so the Lambda bundles read them there (`@aws-sdk/credential-provider-env`).
 *   Tests, the local server and the CLI run the sources, with the full chain.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { OperationSpec } from '../functions/registry/types';

const PACKAGE_ROOT = path.resolve(__dirname, '..');
/** Where `npm run generate` writes each operation's entry (`<operation id>.ts`). */
export const ENTRIES_DIR = path.join(PACKAGE_ROOT, 'functions', 'entries');

/** What an operation's function loads besides the common chain. */
export interface WtsFunctionKind {
  /** Sends and creates: the idempotency middleware (Powertools, DynamoDB client). */
  readonly idempotency: boolean;
  /** Operations taking `fileS3`: the S3 client and presigner. */
  readonly fileS3: boolean;
  /** Operations that upload an inline file to WTS first (`uploadsFile`). */
  readonly uploadsFile: boolean;
}

export const functionKindOf = (op: OperationSpec): WtsFunctionKind => ({
  idempotency: op.retry === 'unsafe',
  fileS3: Object.hasOwn(op.inputs, 'fileS3'),
  uploadsFile: op.uploadsFile === true,
});

export interface WtsBundleOptions {
  /** Emit `index.js.map` (no sources content) next to the bundle. */
  readonly sourceMap?: boolean;
  /** An operation's entry: what its function may leave out. Absent: another entry (the webhook receiver). */
  readonly kind?: WtsFunctionKind;
}

/** The esbuild runner (plain JavaScript, its own process: esbuild plugins need its asynchronous API). */
const ESBUILD_RUNNER = path.join(__dirname, 'wts-bundle-esbuild.js');

/** Bundles built in this process, by kind: name → directory holding `index.js` (and `llhttp_simd.wasm`). */
const built = new Map<string, Map<string, string>>();
let scratch: string | undefined;
const scratchDir = (): string => {
  if (!scratch) {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wts-bundles-'));
    const dir = scratch;
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
};

/** Builds (once per process and kind) every entry of that kind; returns the directory of `name`'s bundle. */
const bundled = (name: string, entry: string, options: WtsBundleOptions, siblings: () => Record<string, string>): string => {
  const key = JSON.stringify({ kind: options.kind ?? null, sourceMap: !!options.sourceMap, entry: options.kind ? undefined : entry });
  let dirs = built.get(key);
  if (!dirs?.has(name)) {
    const entryPoints = options.kind ? { ...siblings(), [name]: entry } : { [name]: entry };
    const outdir = fs.mkdtempSync(path.join(scratchDir(), 'build-'));
    const result = spawnSync(process.execPath, [ESBUILD_RUNNER, JSON.stringify({ entryPoints, outdir, sourceMap: !!options.sourceMap, kind: options.kind ?? null })], {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`esbuild failed to bundle ${name}:\n${result.stderr || result.error}`);
    dirs = new Map(Object.keys(entryPoints).map((n) => [n, path.join(outdir, n)]));
    built.set(key, dirs);
  }
  return dirs.get(name)!;
};

/** The operations of each kind, for building a kind's entries together. */
const entriesOfKind = (kind: WtsFunctionKind): Record<string, string> => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { operationList } = require('../functions/registry') as typeof import('../functions/registry');
  const same = (k: WtsFunctionKind) => k.idempotency === kind.idempotency && k.fileS3 === kind.fileS3 && k.uploadsFile === kind.uploadsFile;
  return Object.fromEntries(
    operationList
      .filter((op) => same(functionKindOf(op)) && fs.existsSync(path.join(ENTRIES_DIR, `${op.id}.ts`)))
      .map((op) => [op.id, path.join(ENTRIES_DIR, `${op.id}.ts`)]),
  );
};

/**
 * A function's code: `entry` bundled by esbuild into `index.js` (handler `index.handler`). Skipped like
 * any bundling when the stack is not being bundled (`aws:cdk:bundling-stacks`).
 */
export const wtsCode = (entry: string, options: WtsBundleOptions = {}): lambda.Code => {
  if (!fs.existsSync(entry)) throw new Error(`Lambda entry not found at ${entry}${entry.startsWith(ENTRIES_DIR) ? ': run `npm run generate`' : ''}`);
  const name = path.basename(entry).replace(/\.[cm]?[jt]s$/, '');
  return lambda.Code.fromAsset(path.dirname(entry), {
    // The asset is named by what was bundled, not by the entries folder: a change anywhere in the runtime,
    // the registry or a dependency must give a new asset (and a redeployed function), as NodejsFunction does.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling always succeeds or throws esbuild's error.
      image: DockerImage.fromRegistry('wts-local-esbuild-only'),
      // What the local bundling does, spelled out (and what tells one function's asset from another's).
      command: ['esbuild', path.relative(PACKAGE_ROOT, entry), ...(options.sourceMap ? ['--sourcemap'] : []), ...(options.kind ? [`--kind=${JSON.stringify(options.kind)}`] : [])],
      local: {
        tryBundle: (outputDir: string) => {
          const dir = bundled(name, entry, options, () => (options.kind ? entriesOfKind(options.kind) : {}));
          for (const file of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, file), path.join(outputDir, file));
          return true;
        },
      },
    },
  });
};
