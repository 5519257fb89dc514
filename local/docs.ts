/**
 * The interactive API reference at `/docs`: Swagger UI from the swagger-ui-dist package (served from
 * node_modules, no CDN) showing `/openapi.json`, with "Try it out" calling the server it is served by.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

export const DOCS_PATH = '/docs';
export const OPENAPI_PATH = '/openapi.json';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const assetDir: string = (require('swagger-ui-dist') as { getAbsoluteFSPath(): string }).getAbsoluteFSPath();

/** The only files served from the package: what the page loads (no path from the request reaches the disk). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};
const available = new Set(readdirSync(assetDir));

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>WTS Chat API — local reference</title>
  <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" sizes="32x32">
  <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
  <style>body { margin: 0; } .topbar { display: none; }</style>
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script src="${DOCS_PATH}/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  displayOperationId: true,
  displayRequestDuration: true,
  docExpansion: 'list',
  filter: true,
  tryItOutEnabled: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

export interface StaticAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** The answer for a path under `/docs`, or undefined when it is not one of the page's files. */
export async function docsAsset(urlPath: string): Promise<StaticAnswer | undefined> {
  if (urlPath === DOCS_PATH || urlPath === `${DOCS_PATH}/` || urlPath === `${DOCS_PATH}/index.html`) {
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }, body: PAGE };
  }
  if (urlPath === `${DOCS_PATH}/init.js`) {
    return { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }, body: INIT };
  }
  const name = urlPath.startsWith(`${DOCS_PATH}/`) ? urlPath.slice(DOCS_PATH.length + 1) : '';
  if (!Object.hasOwn(ASSETS, name) || !available.has(name)) return undefined;
  return {
    status: 200,
    headers: { 'content-type': ASSETS[name], 'cache-control': 'public, max-age=3600' },
    body: await readFile(path.join(assetDir, name)),
  };
}
