/**
 * Real bundling: synthesizes with esbuild on (local, never Docker) through the same `wtsBundling`
 * config the functions use, checks every function's asset exists and stays small, and runs one
 * bundle in a fresh Node process the way Lambda would: env from the template, the key read from a
 * loopback Secrets Manager, WTS answered by the simulator.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { OPERATION_IDS } from '../../functions/registry';
import { EXAMPLE_IDS } from '../../functions/registry/examples';
import { SIMULATOR_TOKEN, startSimulator } from '../../wts-simulator';
import { WtsChatFunctionsStack } from '../../lib/wts-chat-functions-stack';
import { startSecretsManagerEndpoint } from '../support/secrets-manager-endpoint';
import { CDK_JSON_CONTEXT, resourcesOfType, tempOutdir, type CfnTemplate , templateOf } from './support';

const run = promisify(execFile);
const MAX_BYTES = 1.5 * 1024 * 1024;

interface Bundled {
  outdir: string;
  json: CfnTemplate;
  /** function logical id → { operation, asset directory } */
  assets: Map<string, { operation: string; dir: string; env: Record<string, unknown> }>;
}

const synthBundled = (wts: ConstructorParameters<typeof WtsChatFunctionsStack>[2] = {}): Bundled => {
  const outdir = tempOutdir();
  // No `aws:cdk:bundling-stacks` override: bundling runs as in `cdk synth`.
  const app = new App({ context: { ...CDK_JSON_CONTEXT }, outdir });
  // The CDK says "Bundling asset …" on stderr as each asset is staged; keep it out of the test output, and check it.
  const said: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => said.push(String(chunk)) > 0) as typeof process.stderr.write;
  let stack: WtsChatFunctionsStack;
  try {
    stack = new WtsChatFunctionsStack(app, 'WtsBundle', wts);
  } finally {
    process.stderr.write = write;
  }
  const json = templateOf(stack).toJSON() as CfnTemplate;
  if (!said.some((line) => line.startsWith('Bundling asset'))) throw new Error(`expected the CDK to bundle; it said: ${said.join('')}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'WtsBundle.assets.json'), 'utf8')) as { files: Record<string, { source: { path: string } }> };
  const assets = new Map<string, { operation: string; dir: string; env: Record<string, unknown> }>();
  for (const [id, fn] of resourcesOfType(json, 'AWS::Lambda::Function')) {
    const hash = String(fn.Properties!.Code.S3Key).replace(/\.zip$/, '');
    const source = manifest.files[hash]?.source.path;
    if (!source) throw new Error(`${id}: asset ${hash} not in the manifest`);
    assets.set(id, { operation: fn.Properties!.Environment.Variables.WTS_OPERATION_ID, dir: path.join(outdir, source), env: fn.Properties!.Environment.Variables });
  }
  return { outdir, json, assets };
};

const dirBytes = (dir: string): number =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? dirBytes(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);

describe('bundles (esbuild, local)', () => {
  let bundled: Bundled;
  beforeAll(() => {
    bundled = synthBundled();
  }, 120_000);

  test('every function has a bundled asset under 1.5 MB', () => {
    // one per operation, and the webhook receiver (its own entry)
    expect(bundled.assets.size).toBe(OPERATION_IDS.length + 1);
    const sizes: Record<string, number> = {};
    for (const { operation, dir } of bundled.assets.values()) {
      expect(fs.existsSync(path.join(dir, 'index.js'))).toBe(true);
      const bytes = dirBytes(dir);
      expect([operation ?? 'webhook receiver', bytes < MAX_BYTES]).toEqual([operation ?? 'webhook receiver', true]);
      if (operation) sizes[operation] = bytes;
    }
    // One shared asset: every function reports the same size (the figures themselves are `npm run bench`'s job).
    expect(new Set(Object.values(sizes)).size).toBe(1);
  });

  test('one shared entry gives one asset: bundled once, uploaded once', () => {
    const dirs = new Set([...bundled.assets.values()].filter((a) => a.operation).map((a) => a.dir));
    expect(dirs.size).toBe(1);
    // no source map, no Docker leftovers: just the minified bundle
    expect(fs.readdirSync([...dirs][0])).toEqual(['index.js']);
  });

  test('the AWS SDK is bundled (no runtime-provided SDK), middy and undici too', () => {
    const code = fs.readFileSync(path.join([...bundled.assets.values()][0].dir, 'index.js'), 'utf8');
    const requires = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).filter((m) => !m.startsWith('node:')));
    // Left as text on purpose: the SDK's optional CRT signer (required inside try/catch, never used for
    // Secrets Manager) and the module names Ajv writes into the code it generates.
    const expectedLeftovers = (m: string) => m === '@aws-sdk/signature-v4-crt' || m.startsWith('ajv/dist/runtime/');
    expect([...requires].filter((m) => !expectedLeftovers(m))).toEqual([]);
    expect(code.includes('secretsmanager')).toBe(true);
  });

  test('a bundle runs as Lambda runs it: key from Secrets Manager, call to WTS, error names intact', async () => {
    const sim = await startSimulator();
    const secrets = await startSecretsManagerEndpoint({ 'wts/api-key': JSON.stringify({ apiKey: SIMULATOR_TOKEN }) });
    try {
      const [, status] = [...bundled.assets].find(([, a]) => a.operation === 'message.getStatus')!;
      const script = `
        const { handler } = require(${JSON.stringify(path.join(status.dir, 'index.js'))});
        const ctx = { awsRequestId: 'r1', getRemainingTimeInMillis: () => 20000 };
        (async () => {
          const ok = await handler({ messageId: ${JSON.stringify(EXAMPLE_IDS.messageId)} }, ctx);
          let bad;
          try { await handler({ messageId: 'nope' }, ctx); } catch (e) { bad = { name: e.name, message: e.message }; }
          process.stdout.write('\\n@@RESULT ' + JSON.stringify({ ok, bad }) + '\\n');
        })().catch((e) => { console.error(e); process.exit(1); });`;
      const { stdout } = await run(process.execPath, ['-e', script], {
        env: {
          PATH: process.env.PATH,
          // what the template gives the function, with the secret pointed at the loopback endpoint
          WTS_OPERATION_ID: String(status.env.WTS_OPERATION_ID),
          WTS_API_KEY_SECRET_ID: 'wts/api-key',
          WTS_BASE_URL: sim.url,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
        },
        timeout: 30_000,
      });
      // stdout also carries the function's own (JSON) logs; the result is on its marked line
      const out = JSON.parse(stdout.split('\n').find((line) => line.startsWith('@@RESULT '))!.slice('@@RESULT '.length));
      expect(stdout).not.toContain(SIMULATOR_TOKEN);
      expect(out.ok).toMatchObject({ id: EXAMPLE_IDS.messageId, status: expect.any(String) });
      expect(out.bad).toMatchObject({ name: 'WtsValidationError' });
      expect(secrets.calls.map((c) => c.target)).toEqual(['secretsmanager.GetSecretValue']);
    } finally {
      await sim.close();
      await secrets.close();
    }
  });

  test('source maps are opt-in: the map ships and Node is told to use it', () => {
    const withMaps = synthBundled({ wts: { lambda: { sourceMap: true }, operations: ['contact.get'], workflow: false } });
    const [asset] = [...withMaps.assets.values()];
    expect(fs.readdirSync(asset.dir).sort()).toEqual(['index.js', 'index.js.map']);
    expect(asset.env.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(dirBytes(asset.dir)).toBeLessThan(4 * MAX_BYTES);
  }, 120_000);
});
