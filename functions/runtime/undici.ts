/**
 * undici's Agent and request API, loaded without the rest of the package (fetch, WebSocket, caches,
 * mocks). Measured with `npm run bench`: it halves undici's share of the bundle (522 → 286 KiB) and of
 * the cold import. undici 7 has no `exports` map, so these paths are part of its published files.
 */
import type { Agent as AgentType, Dispatcher } from 'undici';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const Agent: typeof AgentType = require('undici/lib/dispatcher/agent');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const apiRequest: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData> = require('undici/lib/api/api-request');

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher };

/** `undici.request(url, options)`, on the dispatcher given. */
export const request = (url: string, { dispatcher, ...options }: RequestOptions): Promise<Dispatcher.ResponseData> => {
  const target = new URL(url);
  return apiRequest.call(dispatcher, { ...options, origin: target.origin, path: `${target.pathname}${target.search}` });
};
