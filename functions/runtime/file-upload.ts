/**
 * Inline files (`file: {name, mimeType, contentBase64}`) go through the core service's upload flow
 * first: ask for an upload URL, PUT the bytes there, save the file, then send it by its id.
 */
import type { Dispatcher } from 'undici';
import type { RetryClass, WtsRequest } from '../registry/types';
import { WtsError } from './errors';
import { request as undiciRequest } from './undici';
import type { WtsResponse } from './wts-client';
import { wtsDispatcher } from './wts-client';

export interface InlineFile {
  name: string;
  mimeType: string;
  contentBase64: string;
}

/** WTS's file type, from the MIME type. */
export const fileTypeOf = (mimeType: string): string => {
  const mime = mimeType.toLowerCase();
  if (mime.startsWith('image/')) return 'IMAGE';
  if (mime.startsWith('audio/')) return 'AUDIO';
  if (mime.startsWith('video/')) return 'VIDEO';
  if (mime === 'application/pdf') return 'PDF';
  if (mime.includes('spreadsheet') || mime.includes('excel') || mime === 'text/csv') return 'EXCEL';
  if (mime.includes('word')) return 'WORD';
  return 'DOCUMENT';
};

/** The invocation's limits, which the storage PUT keeps like every WTS call. */
export interface UploadLimits {
  /** Epoch ms by which the upload must have finished. */
  deadline: number;
  signal: AbortSignal;
  dispatcher?: Dispatcher;
}

export const uploadInlineFile = async (
  file: InlineFile,
  call: (request: WtsRequest, retry?: RetryClass) => Promise<WtsResponse>,
  limits: UploadLimits,
): Promise<string> => {
  const slot = await call({
    method: 'GET',
    service: 'core',
    path: '/v2/file',
    query: [
      ['Type', fileTypeOf(file.mimeType)],
      ['Name', file.name],
      ['MimeType', file.mimeType],
    ],
  });
  const { tempFileId, urlUpload } = (slot.body ?? {}) as { tempFileId?: string; urlUpload?: string };
  if (!tempFileId || !urlUpload) throw new WtsError('WtsUpstreamError', 'WTS did not return an upload URL for the file.');

  // The upload URL is pre-signed storage: it gets the bytes, never our Authorization header.
  const bytes = Buffer.from(file.contentBase64, 'base64');
  const timeLeft = limits.deadline - Date.now();
  if (timeLeft <= 0) throw new WtsError('WtsTimeoutError', 'No time left to upload the file to WTS storage; the message was not sent.');
  const timedOut = () => new WtsError('WtsTimeoutError', 'WTS storage did not take the file within the time left; the message was not sent.');
  let statusCode: number;
  try {
    const put = await undiciRequest(urlUpload, {
      method: 'PUT',
      dispatcher: limits.dispatcher ?? wtsDispatcher,
      headers: { 'content-type': file.mimeType, 'content-length': String(bytes.length) },
      body: bytes,
      headersTimeout: timeLeft,
      bodyTimeout: timeLeft,
      signal: limits.signal,
    });
    statusCode = put.statusCode;
    // Storage answers with little or nothing; what it says past 64 KiB is not worth waiting for.
    await put.body.dump({ limit: 65_536, signal: limits.signal });
  } catch (cause) {
    if (limits.signal.aborted || /TIMEOUT/.test(String((cause as { code?: string })?.code))) throw timedOut();
    throw new WtsError('WtsUpstreamError', 'Uploading the file to WTS storage failed; the message was not sent.', { cause });
  }
  if (statusCode < 200 || statusCode >= 300) {
    throw new WtsError('WtsUpstreamError', `WTS storage refused the file upload (${statusCode}); the message was not sent.`, { upstreamStatus: statusCode });
  }

  const saved = await call({ method: 'POST', service: 'core', path: '/v2/file', query: [], body: { tempFileId } }, 'unsafe');
  const id = (saved.body as { id?: string } | undefined)?.id;
  if (!id) throw new WtsError('WtsUpstreamError', 'WTS did not return the id of the uploaded file.');
  return id;
};
