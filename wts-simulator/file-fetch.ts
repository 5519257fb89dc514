/**
 * WTS downloads the file of a send or a file note from its URL. The simulator does the same for URLs on
 * loopback (a presigned S3 URL of an S3-compatible server in a test, the simulator's own file URLs),
 * so a test can prove the URL it sent works: `fileFetches` records what each download got. URLs
 * anywhere else are never fetched (the simulator makes no calls off the machine).
 */
import { createHash } from 'node:crypto';

export interface FileFetchRecord {
  /** The request that named the file, e.g. `POST /chat/v1/message/send`. */
  request: string;
  url: string;
  /** HTTP status of the download; undefined when it failed before an answer. */
  status?: number;
  contentType?: string;
  bytes?: number;
  /** SHA-256 of the bytes, hex. */
  sha256?: string;
  error?: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
/** The largest download kept (a test file is small; more is read and counted, not stored). */
const MAX_FETCH_BYTES = 50 * 1024 * 1024;

export const isLoopbackUrl = (value: unknown): value is string => {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
};

/**
 * The file URLs a request body names: a send's `body.fileUrl` or `fileUrl`, a send API media send's
 * `fileIdOrUrl` (a file id is no URL, and is skipped), a note's `fileUrls`.
 */
const fileUrlsOf = (body: unknown): unknown[] => {
  if (typeof body !== 'object' || body === null) return [];
  const b = body as { fileUrl?: unknown; fileIdOrUrl?: unknown; fileUrls?: unknown; body?: { fileUrl?: unknown } };
  return [b.fileUrl, b.body?.fileUrl, b.fileIdOrUrl, ...(Array.isArray(b.fileUrls) ? b.fileUrls : [])];
};

export class LoopbackFileFetcher {
  readonly fetches: FileFetchRecord[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly controller = new AbortController();

  /** After a request WTS accepted: downloads the loopback file URLs it names, in the background. */
  observe(method: string, path: string, body: unknown): void {
    if (method !== 'POST' || this.controller.signal.aborted) return;
    for (const url of fileUrlsOf(body).filter(isLoopbackUrl)) {
      const record: FileFetchRecord = { request: `${method} ${path}`, url };
      this.fetches.push(record);
      const task = this.download(record).finally(() => this.pending.delete(task));
      this.pending.add(task);
    }
  }

  /** Resolves once every download started so far has ended. */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  clear(): void {
    this.fetches.length = 0;
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.flush();
  }

  private async download(record: FileFetchRecord): Promise<void> {
    try {
      const res = await fetch(record.url, { signal: this.controller.signal, redirect: 'manual' });
      record.status = res.status;
      record.contentType = res.headers.get('content-type') ?? undefined;
      const hash = createHash('sha256');
      let bytes = 0;
      if (res.body) {
        for await (const chunk of res.body) {
          bytes += chunk.length;
          if (bytes <= MAX_FETCH_BYTES) hash.update(chunk);
        }
      }
      record.bytes = bytes;
      record.sha256 = hash.digest('hex');
    } catch (error) {
      record.error = (error as Error).message;
    }
  }
}
