/**
 * Files from S3: `fileS3` (`{bucket, key}` or `"s3://bucket/key"`) becomes a short-lived presigned GET
 * URL that WTS downloads itself, so a file of any size never passes through the function (a Lambda
 * payload holds 6 MB). Only the buckets listed in `WTS_FILE_BUCKETS` (the ones the stack grants
 * `s3:GetObject` on) are used; any other is a WtsConfigError before anything is sent.
 *
 * The handler loads this module (and with it the S3 client) only when an input has `fileS3`.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Input, OperationSpec } from '../registry/types';
import { validationError, WtsError } from './errors';

/** How long WTS has to fetch the file: sends are queued at WTS, so not just the seconds the call takes. */
export const PRESIGNED_URL_SECONDS = 15 * 60;

export interface S3Location {
  bucket: string;
  key: string;
}

/** `{bucket, key}` as given, or parsed from `s3://bucket/key` (the key is everything after the bucket). */
export const s3Location = (value: unknown): S3Location => {
  if (typeof value === 'string') {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(value);
    if (match) return { bucket: match[1], key: match[2] };
  } else if (typeof value === 'object' && value !== null) {
    const { bucket, key } = value as Partial<S3Location>;
    if (typeof bucket === 'string' && typeof key === 'string') return { bucket, key };
  }
  throw validationError([{ field: 'fileS3', problem: 'must be {bucket, key} or "s3://bucket/key"' }]);
};

/** The buckets this deployment may presign for (`WTS_FILE_BUCKETS`, comma-separated). */
export const allowedBuckets = (env: NodeJS.ProcessEnv = process.env): string[] =>
  (env.WTS_FILE_BUCKETS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);

let client: S3Client | undefined;
/** One client per container: region, credentials and endpoint from the environment (the function's role in Lambda). */
const s3 = (): S3Client => (client ??= new S3Client({}));

const statusOf = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/**
 * The presigned GET URL of the object. The object is looked up first (HEAD, same permission as GET), so
 * a missing one is a clear 404 here rather than a message WTS fails to deliver later.
 */
export const presignS3Object = async (location: S3Location, signal?: AbortSignal): Promise<string> => {
  const allowed = allowedBuckets();
  const where = `s3://${location.bucket}/${location.key}`;
  if (allowed.length === 0) {
    throw new WtsError('WtsConfigError', 'fileS3 is not enabled in this deployment: no bucket is allowed (context key wtsFileBuckets, env WTS_FILE_BUCKETS). Nothing was sent.');
  }
  if (!allowed.includes(location.bucket)) {
    throw new WtsError('WtsConfigError', `The bucket "${location.bucket}" is not one this deployment may read files from (${allowed.join(', ')}). Nothing was sent.`);
  }
  const object = { Bucket: location.bucket, Key: location.key };
  try {
    await s3().send(new HeadObjectCommand(object), { abortSignal: signal });
  } catch (cause) {
    const status = statusOf(cause);
    if (status === 404) throw new WtsError('WtsNotFoundError', `No file at ${where}. Nothing was sent.`, { cause });
    if (status === 403) throw new WtsError('WtsConfigError', `The function may not read ${where} (s3:GetObject). Nothing was sent.`, { cause });
    if (signal?.aborted) throw signal.reason;
    throw new WtsError('WtsUpstreamError', `S3 did not answer for ${where}. Nothing was sent.`, { cause });
  }
  return getSignedUrl(s3(), new GetObjectCommand(object), { expiresIn: PRESIGNED_URL_SECONDS });
};

/**
 * Replaces `fileS3` in the input by the presigned URL, in the input the operation takes a file URL in:
 * one more entry of `fileUrls` (file notes), `fileIdOrUrl` (the send API's media sends) or `fileUrl`
 * (the other sends).
 */
export const resolveFileS3 = async (op: OperationSpec, input: Input, signal?: AbortSignal): Promise<void> => {
  if (input.fileS3 === undefined) return;
  const url = await presignS3Object(s3Location(input.fileS3), signal);
  delete input.fileS3;
  if (Object.hasOwn(op.inputs, 'fileUrls')) input.fileUrls = [...((input.fileUrls as string[] | undefined) ?? []), url];
  else if (Object.hasOwn(op.inputs, 'fileIdOrUrl')) input.fileIdOrUrl = url;
  else input.fileUrl = url;
};
