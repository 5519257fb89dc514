/**
 * Builds Lambda bundles with esbuild's API and the plugin that leaves out what the functions never run
 * (lib/wts-bundle.ts says what and why). Plain JavaScript run as its own Node process: esbuild plugins
 * need its asynchronous API, and the CDK stages assets synchronously.
 *
 *   node lib/wts-bundle-esbuild.js '{"entryPoints":{"name":"/abs/entry.ts"},"outdir":"…","sourceMap":false,"kind":{…}|null}'
 */
'use strict';
const path = require('node:path');

const PACKAGE_ROOT = path.resolve(__dirname, '..');
const RUNTIME_DIR = path.join(PACKAGE_ROOT, 'functions', 'runtime');
const LAMBDA_CREDENTIALS = path.join(RUNTIME_DIR, 'lambda-credentials.ts');
const LEFT_OUT = 'wts-left-out';
const LLHTTP_SIMD = require.resolve('undici/lib/llhttp/llhttp_simd-wasm.js', { paths: [PACKAGE_ROOT] });
/** The file name of undici's llhttp (WebAssembly with SIMD) next to a bundle that uses undici. */
const LLHTTP_FILE = 'llhttp_simd.wasm';

/** A module that stands for code left out of the bundle: requiring it is harmless, using it says why it is missing. */
const leftOutModule = (what, why) => `
const missing = () => { throw new Error(${JSON.stringify(`${what} is not in this function's bundle: ${why}`)}); };
module.exports = new Proxy({}, { get: (_, name) => (name === '__esModule' || typeof name === 'symbol' ? undefined : missing()) });`;

/** @param {{ idempotency: boolean, fileS3: boolean, uploadsFile: boolean } | null} kind  an operation's function, or null (another entry) */
const leaveOut = (kind) => ({
  name: 'wts-leave-out',
  setup(build) {
    const stub = (what, why) => ({ path: what, namespace: LEFT_OUT, pluginData: why });
    const fromRuntime = (importer) => importer.startsWith(RUNTIME_DIR + path.sep);
    if (kind) {
      build.onResolve({ filter: /^\.\.\/registry(\/index)?$/ }, (a) => (fromRuntime(a.importer) ? stub('the operation registry', 'its entry passes its own operation') : undefined));
      build.onResolve({ filter: /^\.\.\/registry\/validators\.generated$/ }, (a) =>
        fromRuntime(a.importer) ? stub("the other operations' validators", 'its entry passes its own validator') : undefined,
      );
      if (!kind.idempotency) build.onResolve({ filter: /^\.\/idempotency$/ }, (a) => (fromRuntime(a.importer) ? stub('the idempotency middleware', 'a read-only operation') : undefined));
      if (!kind.uploadsFile) build.onResolve({ filter: /^\.\/file-upload$/ }, (a) => (fromRuntime(a.importer) ? stub('the inline file upload', 'the operation uploads no file') : undefined));
      if (!kind.fileS3) build.onResolve({ filter: /^\.\/file-s3$/ }, (a) => (fromRuntime(a.importer) ? stub('fileS3 (the S3 client)', 'the operation takes no fileS3') : undefined));
    }
    const inUndici = (importer) => /[\\/]node_modules[\\/]undici[\\/]/.test(importer);
    // The SIMD llhttp as a binary file next to the bundle (written after the build): 53 KB read on the first
    // request, rather than 71 KB of base64 parsed with the bundle at every cold start.
    build.onLoad({ filter: /[\\/]undici[\\/]lib[\\/]llhttp[\\/]llhttp_simd-wasm\.js$/ }, () => ({
      contents: `'use strict';\nlet wasm;\nObject.defineProperty(module, 'exports', { get: () => wasm || (wasm = require('node:fs').readFileSync(require('node:path').join(__dirname, ${JSON.stringify(LLHTTP_FILE)}))) });`,
      loader: 'js',
    }));
    build.onResolve({ filter: /llhttp-wasm\.js$/ }, (a) => (inUndici(a.importer) ? { path: 'llhttp-wasm', namespace: LEFT_OUT } : undefined));
    build.onResolve({ filter: /client-h2\.js$/ }, (a) => (inUndici(a.importer) ? stub("undici's HTTP/2 client", 'allowH2 is never set') : undefined));
    build.onResolve({ filter: /web\/fetch\/body\.js$/ }, (a) =>
      inUndici(a.importer) && /client-h[12]\.js$/.test(a.importer) ? stub("undici's FormData bodies", 'WTS gets JSON or bytes') : undefined,
    );
    // The SDK's SHA-256 in JavaScript, for runtimes whose node:crypto has none (Node.js on Lambda has it).
    build.onResolve({ filter: /^\.\/Sha256Js$/ }, (a) =>
      /[\\/]@smithy[\\/]core[\\/]/.test(a.importer) ? stub("the SDK's JavaScript SHA-256", 'node:crypto computes SHA-256 here') : undefined,
    );
    // Imported (dynamically) only for an operation with an event stream: none of the SDK calls made here has one.
    build.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, () => stub("the SDK's event streams", 'no SDK call made here has one'));
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({ path: LAMBDA_CREDENTIALS }));
    // An SDK client imports its whole package.json for one field, its version (in the user agent).
    build.onLoad({ filter: /[\\/]node_modules[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]package\.json$/ }, (a) => {
      const { name, version } = JSON.parse(require('node:fs').readFileSync(a.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
    build.onLoad({ filter: /.*/, namespace: LEFT_OUT }, (a) =>
      a.path === 'llhttp-wasm'
        ? {
            // undici requires it eagerly under Jest (JEST_WORKER_ID), otherwise only when SIMD is missing: undefined there, an error here.
            contents: `if (!process.env.JEST_WORKER_ID) throw new Error("undici's non-SIMD llhttp is not in this function's bundle: this CPU has no WebAssembly SIMD");\nmodule.exports = undefined;`,
            loader: 'js',
          }
        : { contents: leftOutModule(a.path, a.pluginData), loader: 'js' },
    );
  },
});

/** The esbuild options of Lambda bundles (CommonJS: the Node.js runtime `require()`s a `.js` handler). */
const lambdaBuildOptions = ({ entryPoints, outdir, sourceMap = false, kind = null }) => ({
  entryPoints,
  outdir,
  entryNames: '[name]/index',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  // The SDK's ESM builds tree-shake better.
  mainFields: ['module', 'main'],
  charset: 'utf8',
  legalComments: 'none',
  sourcemap: sourceMap ? 'linked' : false,
  sourcesContent: false,
  plugins: [leaveOut(kind)],
  logLevel: 'warning',
  absWorkingDir: PACKAGE_ROOT,
});

/** Builds, then puts undici's llhttp binary next to each bundle that loads it. */
const buildLambdaBundles = async (options) => {
  const result = await require('esbuild').build({ ...lambdaBuildOptions(options), metafile: true });
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!output.entryPoint || !Object.keys(output.inputs).some((input) => path.resolve(PACKAGE_ROOT, input) === LLHTTP_SIMD)) continue;
    require('node:fs').writeFileSync(path.join(path.dirname(path.resolve(PACKAGE_ROOT, file)), LLHTTP_FILE), require(LLHTTP_SIMD));
  }
};

module.exports = { lambdaBuildOptions, buildLambdaBundles, LLHTTP_FILE };

if (require.main === module) {
  buildLambdaBundles(JSON.parse(process.argv[2])).catch(() => process.exit(1)); // esbuild has printed the errors
}
