/**
 * The interactive API reference at `/docs`: Swagger UI from the swagger-ui-dist package (served from
 * node_modules, no CDN) showing `/openapi.json`, with "Try it out" calling the server it is served by.
 * A banner says whether that server talks to the simulator or to the real WTS, and a panel shows the
 * webhook events of the local event bus as they arrive (EventSource on `/events/stream`); in simulator
 * mode it also lets the reader write in as a customer (`POST /simulator/inbound-message`).
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { WEBHOOK_ROUTE } from '../functions/webhooks/events';
import { RouteTable } from './routes';
import { EVENTS_PATH, EVENTS_STREAM_PATH, INBOUND_MESSAGE_PATH } from './webhooks';

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

/** What the page tells the reader about where "Try it out" goes. */
export interface DocsTarget {
  mode: 'simulator' | 'wts';
  /** Where requests go, safe to show (never the key), e.g. the backend's `describe`. */
  describe: string;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The banner: in simulator mode nothing leaves the machine; in WTS mode "Try it out" acts on the real
 * account (a send reaches a real customer), so the page says so before anyone clicks Execute.
 */
export const bannerText = (target: DocsTarget): string =>
  target.mode === 'simulator'
    ? `Simulator mode: "Try it out" calls the built-in WTS simulator (seeded example data). Nothing reaches the real WTS. (${target.describe})`
    : `Real WTS mode: "Try it out" calls the real WTS with your API key, and sends reach real contacts; sends and creates ask before they go. (${target.describe})`;

const page = (target: DocsTarget): string => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>WTS Chat API — local reference (${target.mode === 'simulator' ? 'simulator' : 'real WTS'})</title>
  <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" sizes="32x32">
  <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
  <style>
    body { margin: 0; }
    .topbar { display: none; }
    #wts-mode-banner { position: sticky; top: 0; z-index: 10; padding: 10px 20px; font: 600 14px/1.4 sans-serif; }
    #wts-mode-banner.simulator { background: #e6f4ea; color: #1e4620; border-bottom: 2px solid #49a35b; }
    #wts-mode-banner.wts { background: #fdecea; color: #611a15; border-bottom: 2px solid #d9362b; }
    #wts-events { position: fixed; right: 16px; bottom: 16px; z-index: 20; width: 380px; max-width: calc(100vw - 32px);
      background: #fff; border: 1px solid #c7c7c7; border-radius: 6px; box-shadow: 0 2px 10px rgba(0,0,0,.15); font: 13px/1.4 sans-serif; }
    #wts-events summary { cursor: pointer; padding: 8px 12px; font-weight: 600; }
    #wts-events[data-connected="true"] #wts-events-state { color: #1e7e34; }
    #wts-events-state { font-weight: 400; color: #8a6d3b; margin-left: 6px; }
    #wts-events-list { list-style: none; margin: 0; padding: 0 12px; max-height: 160px; overflow: auto; }
    #wts-events-list li { border-top: 1px solid #eee; padding: 4px 0; font-family: monospace; font-size: 12px; word-break: break-word; }
    #wts-events-list li b { font-family: sans-serif; }
    #wts-events form, #wts-events .hint { padding: 6px 12px 10px; margin: 0; color: #555; }
    #wts-events form input { font: inherit; padding: 2px 4px; }
    #wts-events form input[name="from"] { width: 130px; }
    #wts-events form input[name="text"] { width: 170px; }
  </style>
</head>
<body>
  <div id="wts-mode-banner" class="${target.mode}" role="status" data-mode="${target.mode}">${escapeHtml(bannerText(target))}</div>
  <div id="swagger-ui"></div>
  <details id="wts-events" open data-connected="false">
    <summary>Webhook events <span id="wts-events-state">connecting…</span></summary>
    <ol id="wts-events-list" aria-live="polite"></ol>
    ${
      target.mode === 'simulator'
        ? `<form id="wts-customer" autocomplete="off">Write in as a customer:
      <input name="from" value="+5511988887777" aria-label="from (phone)"> <input name="text" value="Olá! Meu pedido chegou?" aria-label="text"> <button type="submit">Send</button>
      <div id="wts-customer-result" role="status"></div>
    </form>`
        : `<p class="hint">Events that WTS delivers to this server's <code>POST ${WEBHOOK_ROUTE.path}</code> (the token is printed by <code>npm start</code>).</p>`
    }
  </details>
  <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script src="${DOCS_PATH}/init.js"></script>
  <script src="${DOCS_PATH}/events.js"></script>
</body>
</html>
`;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every route, most specific resource first (as API Gateway and the local server match them), with its operations by method. */
const routeList = () =>
  new RouteTable().resources.map((resource) => ({
    pattern: `^${resource.segments.map((s) => (s.literal !== undefined ? `/${escapeRegExp(s.literal)}` : '/[^/]+')).join('')}/?$`,
    methods: Object.fromEntries([...resource.methods].map(([method, op]) => [method, { id: op.id, unsafe: op.retry === 'unsafe' }])),
  }));

/**
 * In WTS mode a request of an unsafe operation (a send or a create: WTS acts, and it cannot be taken
 * back) waits for a yes in a confirm dialog; on a no the request is answered in the page, without the network.
 */
const init = (target: DocsTarget): string => `const confirmUnsafe = ${JSON.stringify(target.mode === 'wts')};
const routes = ${JSON.stringify(routeList())}.map((r) => ({ ...r, pattern: new RegExp(r.pattern) }));
const operationOf = (req) => {
  const path = new URL(req.url, window.location.href).pathname;
  const resource = routes.find((r) => r.pattern.test(path));
  return resource && resource.methods[String(req.method || 'GET').toUpperCase()];
};
window.ui = SwaggerUIBundle({
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
  requestInterceptor: (req) => {
    const op = confirmUnsafe ? operationOf(req) : undefined;
    if (op && op.unsafe && !window.confirm(op.id + ' acts on the REAL WTS account (a send reaches a real contact, and WTS cannot undo it).\\n\\n' + String(req.method).toUpperCase() + ' ' + req.url + '\\n\\nSend it?')) {
      // Throwing here would leave Swagger UI without a request to show; a fetch that fails instead
      // keeps the request on screen and shows why nothing went out.
      req.userFetch = () => {
        const declined = new Error('Not sent: you declined to send ' + op.id + ' to the real WTS.');
        declined.name = 'NotSent';
        return Promise.reject(declined);
      };
    }
    return req;
  },
});
`;

/**
 * The events panel: the events kept so far (`GET /events`), then each new one from the stream, newest on
 * top. EventSource reconnects by itself after a drop and sends `Last-Event-ID`, so nothing is missed.
 */
const eventsScript = `(() => {
  const panel = document.getElementById('wts-events');
  const list = document.getElementById('wts-events-list');
  const state = document.getElementById('wts-events-state');
  const shown = new Set();
  const SHOWN_MAX = 100;
  const summary = (event) => {
    const content = (event.detail && event.detail.content) || {};
    const parts = [];
    if (typeof content.id === 'string') parts.push(content.id.slice(0, 8));
    if (typeof content.status === 'string') parts.push(content.status);
    if (typeof content.text === 'string' && content.text) parts.push(JSON.stringify(content.text.length > 60 ? content.text.slice(0, 59) + '…' : content.text));
    return parts.join(' ');
  };
  const show = (event, atTop) => {
    if (!event || shown.has(event.id)) return;
    shown.add(event.id);
    const item = document.createElement('li');
    item.dataset.eventId = event.id;
    item.dataset.detailType = event['detail-type'];
    item.title = JSON.stringify(event.detail, null, 2);
    const type = document.createElement('b');
    type.textContent = event['detail-type'];
    item.append(String(event.time).slice(11, 19) + ' ', type, ' ' + summary(event));
    if (atTop) list.prepend(item); else list.append(item);
    while (list.children.length > SHOWN_MAX) list.lastElementChild.remove();
  };
  const setState = (connected, text) => {
    panel.dataset.connected = String(connected);
    state.textContent = text;
  };
  fetch(${JSON.stringify(EVENTS_PATH)}, { headers: { accept: 'application/json' } })
    .then((res) => (res.ok ? res.json() : []))
    .then((events) => events.slice(0, SHOWN_MAX).forEach((event) => show(event, false)))
    .catch(() => undefined);
  const source = new EventSource(${JSON.stringify(EVENTS_STREAM_PATH)});
  source.onopen = () => setState(true, 'live');
  source.onerror = () => setState(false, 'reconnecting…');
  source.onmessage = (message) => {
    try { show(JSON.parse(message.data), true); } catch (error) { /* not an event: ignored */ }
  };
  const form = document.getElementById('wts-customer');
  if (form) {
    const result = document.getElementById('wts-customer-result');
    form.addEventListener('submit', async (submit) => {
      submit.preventDefault();
      const body = { from: form.elements.from.value, text: form.elements.text.value };
      try {
        const res = await fetch(${JSON.stringify(INBOUND_MESSAGE_PATH)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const answer = await res.json();
        result.textContent = res.ok ? 'Received. Webhooks: ' + answer.events.join(', ') : answer.error.message;
      } catch (error) {
        result.textContent = 'Not sent: ' + error.message;
      }
    });
  }
})();
`;

export interface StaticAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** The answer for a path under `/docs`, or undefined when it is not one of the page's files. */
export async function docsAsset(urlPath: string, target: DocsTarget): Promise<StaticAnswer | undefined> {
  if (urlPath === DOCS_PATH || urlPath === `${DOCS_PATH}/` || urlPath === `${DOCS_PATH}/index.html`) {
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }, body: page(target) };
  }
  if (urlPath === `${DOCS_PATH}/events.js`) {
    return { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }, body: eventsScript };
  }
  if (urlPath === `${DOCS_PATH}/init.js`) {
    return { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }, body: init(target) };
  }
  const name = urlPath.startsWith(`${DOCS_PATH}/`) ? urlPath.slice(DOCS_PATH.length + 1) : '';
  if (!Object.hasOwn(ASSETS, name) || !available.has(name)) return undefined;
  return {
    status: 200,
    headers: { 'content-type': ASSETS[name], 'cache-control': 'public, max-age=3600' },
    body: await readFile(path.join(assetDir, name)),
  };
}
