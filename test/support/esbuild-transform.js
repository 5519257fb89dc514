/**
 * Jest transform: esbuild strips TypeScript types and turns ES modules (middy 6 ships ESM only) into
 * CommonJS. It does not type-check: `tsc --noEmit` in `npm test` does.
 * (esbuild rather than swc: the npm registry this project installs from lacks some of swc's platform
 * packages, which breaks `npm ci`.)
 */
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: /\.tsx?$/.test(filename) ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: filename,
    });
    return { code, map };
  },
};
