/**
 * The AWS JSON 1.1 protocol on loopback, for the test endpoints that stand in for an AWS service
 * (Secrets Manager, EventBridge): a POST of a JSON object naming its operation in `X-Amz-Target`,
 * answered with `application/x-amz-json-1.1` and errors as `{__type, message}`. Each endpoint says
 * what its operations do; this module reads requests, answers, delays and closes.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsJsonRequest {
  /** `X-Amz-Target`, e.g. `secretsmanager.GetSecretValue`. */
  target: string;
  method: string;
  /** The body as a JSON object; undefined when it is not one (the endpoint answers SerializationException). */
  input: Record<string, unknown> | undefined;
  res: ServerResponse;
}

export interface AwsJsonServer {
  /** 'http://127.0.0.1:PORT' */
  url: string;
  /** Runs `answer` after `ms` (a delayed answer), unless the endpoint has closed by then. */
  later(ms: number, answer: () => void): void;
  /** Never answers `res` (a hung service); the connection ends when the endpoint closes. */
  hold(res: ServerResponse): void;
  close(): Promise<void>;
}

export const sendJson = (res: ServerResponse, status: number, body: unknown, errorType?: string): void => {
  const payload = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(payload),
    'x-amzn-RequestId': randomUUID(),
  };
  if (errorType) headers['x-amzn-ErrorType'] = errorType;
  res.writeHead(status, headers);
  res.end(payload);
};

export const sendAwsError = (res: ServerResponse, status: number, type: string, message: string): void =>
  sendJson(res, status, { __type: type, message }, type);

const parseObject = (raw: string): Record<string, unknown> | undefined => {
  try {
    const parsed: unknown = JSON.parse(raw.trim() === '' ? '{}' : raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** Starts the server on a free loopback port; `onRequest` answers each request (possibly `later`). */
export const startAwsJsonServer = async (onRequest: (request: AwsJsonRequest, server: AwsJsonServer) => void): Promise<AwsJsonServer> => {
  const timers = new Set<NodeJS.Timeout>();
  const held = new Set<ServerResponse>();
  let self: AwsJsonServer | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      onRequest({ target: String(req.headers['x-amz-target'] ?? ''), method: req.method ?? '', input: parseObject(Buffer.concat(chunks).toString('utf8')), res }, self!);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  self = {
    url: `http://127.0.0.1:${port}`,
    later(ms, answer) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer();
      }, ms);
      timers.add(timer);
    },
    hold(res) {
      held.add(res);
      res.on('close', () => held.delete(res));
    },
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const res of held) res.destroy();
        held.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
  return self;
};
