/**
 * Files from S3 (`fileS3`): the function's real S3 client presigns a GET URL against an S3-compatible
 * server on loopback (s3rver), WTS (the simulator) receives it as the file URL and downloads it — so the
 * URL is proven to work. Buckets outside WTS_FILE_BUCKETS, an unset list and a missing object are
 * refused with nothing sent; the S3 client is loaded only when an input has `fileS3`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { operations, type OperationId } from '../functions/registry';
import { staticApiKey } from '../functions/runtime/api-key';
import { createHandler } from '../functions/runtime/handler';
import { EXAMPLE_IDS as ids } from '../functions/registry/examples';
import { startSimulator, SIMULATOR_TOKEN, type Simulator } from '../wts-simulator';
import { eventFor, lambdaContext } from './support/lambda';
import { startS3, type S3Endpoint } from './support/s3';
import { checkAgainstWtsReference } from './support/wts-contract';

const BUCKET = 'wts-arquivos';
const OTHER_BUCKET = 'outro-bucket';
const KEY = 'boletos/2025/boleto 48213.pdf';
const PDF = Buffer.from('%PDF-1.4\n% Boleto do pedido 48213 (arquivo de teste)\n%%EOF\n');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let sim: Simulator;
let s3: S3Endpoint;
let env: { restore(): void };
const savedBuckets = process.env.WTS_FILE_BUCKETS;

beforeAll(async () => {
  [sim, s3] = await Promise.all([startSimulator(), startS3([BUCKET, OTHER_BUCKET])]);
  await s3.putObject(BUCKET, KEY, PDF, 'application/pdf');
  await s3.putObject(OTHER_BUCKET, 'x.pdf', PDF, 'application/pdf');
  env = s3.useFromEnv();
});
afterAll(async () => {
  env.restore();
  if (savedBuckets === undefined) delete process.env.WTS_FILE_BUCKETS;
  else process.env.WTS_FILE_BUCKETS = savedBuckets;
  await Promise.all([sim.close(), s3.close()]);
});
beforeEach(() => {
  sim.reset();
  process.env.WTS_FILE_BUCKETS = ` ${BUCKET} , another-allowed `;
});

const handler = (id: OperationId) => createHandler(id, { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url });
const direct = async (id: OperationId, input: Record<string, unknown>) => {
  try {
    return { result: (await handler(id)(input, lambdaContext())) as Record<string, unknown> };
  } catch (error) {
    return { error: error as Error & { details?: { field: string; problem: string }[] } };
  }
};
const rest = async (id: OperationId, input: Record<string, unknown>) => {
  const res = (await handler(id)(eventFor('rest', operations[id], input), lambdaContext())) as { statusCode: number; body: string };
  return { status: res.statusCode, body: JSON.parse(res.body) };
};

/** The presigned URL WTS received: on the S3 endpoint, for the object, signed, valid 15 minutes. */
const expectPresigned = (value: unknown, bucket = BUCKET, key = KEY) => {
  const url = new URL(String(value));
  expect(url.origin).toBe(s3.url);
  expect(decodeURIComponent(url.pathname)).toBe(`/${bucket}/${key}`);
  expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
  expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
};

/** WTS (the simulator) downloaded that URL and got the object's bytes. */
const expectDownloaded = async (url: unknown) => {
  await sim.flushFileFetches();
  expect(sim.fileFetches).toContainEqual(expect.objectContaining({ url, status: 200, bytes: PDF.length, sha256: sha256(PDF) }));
};

const lastRequest = () => {
  const r = sim.requests[sim.requests.length - 1];
  expect(checkAgainstWtsReference({ method: r.method, path: r.path, query: r.query, body: r.body })).toEqual([]);
  return r;
};

describe('a send or file note with fileS3 sends a presigned URL that WTS can download', () => {
  test('message.sendFile, {bucket, key}, invoked directly', async () => {
    const { result, error } = await direct('message.sendFile', { from: ids.channelId, to: ids.contactPhone, fileS3: { bucket: BUCKET, key: KEY } });
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ id: expect.any(String) });
    const sent = lastRequest();
    expect(sent.path).toBe('/chat/v1/message/send');
    const body = sent.body as { body: { fileUrl: string } };
    expect(Object.keys(body.body)).toEqual(['fileUrl']);
    expectPresigned(body.body.fileUrl);
    await expectDownloaded(body.body.fileUrl);
  });

  test('session.sendFile, "s3://bucket/key", over API Gateway', async () => {
    const { status } = await rest('session.sendFile', { sessionId: ids.sessionId, fileS3: `s3://${BUCKET}/${KEY}` });
    expect(status).toBe(201);
    const sent = lastRequest();
    expect(sent.path).toBe(`/chat/v1/session/${ids.sessionId}/message`);
    expectPresigned((sent.body as { fileUrl: string }).fileUrl);
    await expectDownloaded((sent.body as { fileUrl: string }).fileUrl);
  });

  test('message.sendTemplate with a document from S3', async () => {
    const { error } = await direct('message.sendTemplate', {
      from: ids.channelId,
      to: ids.contactPhone,
      templateId: ids.templateId,
      parameters: { nome: 'Maria', pedido: '48213', data: 'amanhã' },
      fileS3: { bucket: BUCKET, key: KEY },
    });
    expect(error).toBeUndefined();
    const body = lastRequest().body as { body: { templateId: string; fileUrl: string } };
    expect(body.body.templateId).toBe(ids.templateId);
    await expectDownloaded(body.body.fileUrl);
  });

  test('send.document (send API), {bucket, key}, over API Gateway: the presigned URL goes as fileIdOrUrl', async () => {
    const { status, body } = await rest('send.document', { from: ids.channelId, to: ids.contactPhone, fileS3: { bucket: BUCKET, key: KEY }, text: 'Segue o boleto.' });
    expect(status).toBe(201);
    expect(body).toMatchObject({ id: expect.any(String) });
    const sent = lastRequest();
    expect(sent.path).toBe('/chat/v1/send/document');
    const request = sent.body as Record<string, unknown>;
    expect(Object.keys(request).sort()).toEqual(['fileIdOrUrl', 'from', 'text', 'to']);
    expectPresigned(request.fileIdOrUrl);
    await expectDownloaded(request.fileIdOrUrl);
  });

  test('send.image (send API), "s3://bucket/key", invoked directly', async () => {
    const { result, error } = await direct('send.image', { sessionId: ids.sessionId, fileS3: `s3://${BUCKET}/${KEY}` });
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ id: expect.any(String) });
    const request = lastRequest().body as Record<string, unknown>;
    expect(request).toEqual({ sessionId: ids.sessionId, fileIdOrUrl: expect.any(String) });
    expectPresigned(request.fileIdOrUrl);
    await expectDownloaded(request.fileIdOrUrl);
  });

  test('panel.createFileNote: the S3 file joins the fileUrls given', async () => {
    const { status, body } = await rest('panel.createFileNote', { cardId: ids.cardId, fileUrls: ['https://example.com/contrato.pdf'], fileS3: `s3://${BUCKET}/${KEY}` });
    expect(status).toBe(201);
    const urls = (lastRequest().body as { fileUrls: string[] }).fileUrls;
    expect(urls).toHaveLength(2);
    expect(urls[0]).toBe('https://example.com/contrato.pdf');
    expectPresigned(urls[1]);
    expect(body.files).toHaveLength(2);
    await expectDownloaded(urls[1]);
    // Only the loopback URL is fetched: the simulator never calls off the machine.
    expect(sim.fileFetches.map((f) => f.url)).toEqual([urls[1]]);
  });
});

describe('refused with nothing sent', () => {
  test('send.document from a bucket the deployment does not list: WtsConfigError', async () => {
    const { error } = await direct('send.document', { from: ids.channelId, to: ids.contactPhone, fileS3: `s3://${OTHER_BUCKET}/x.pdf` });
    expect(error?.name).toBe('WtsConfigError');
    expect(sim.requests).toHaveLength(0);
  });

  test.each([
    [{ fileIdOrUrl: 'https://example.com/a.pdf', fileS3: { bucket: BUCKET, key: KEY } }, 'fileS3', 'give only one of fileIdOrUrl, fileS3'],
    [{}, 'fileIdOrUrl', 'required (or give fileS3)'],
    [{ fileS3: 's3:/wts-arquivos' }, 'fileS3', 'must have one of the shapes its description names'],
  ])('send.document with %j: 400 naming %s', async (extra, field, problem) => {
    const http = await rest('send.document', { from: ids.channelId, to: ids.contactPhone, ...extra });
    expect(http.status).toBe(400);
    expect(http.body.error.details).toContainEqual({ field, problem });
    expect(sim.requests).toHaveLength(0);
  });

  test('a bucket the deployment does not list: WtsConfigError (500 over HTTP)', async () => {
    const { error } = await direct('message.sendFile', { from: ids.channelId, to: ids.contactPhone, fileS3: { bucket: OTHER_BUCKET, key: 'x.pdf' } });
    expect(error?.name).toBe('WtsConfigError');
    expect(error?.message).toContain(`"${OTHER_BUCKET}"`);
    const http = await rest('session.sendFile', { sessionId: ids.sessionId, fileS3: `s3://${OTHER_BUCKET}/x.pdf` });
    expect(http.status).toBe(500);
    expect(http.body.error).toMatchObject({ name: 'WtsConfigError', code: 'CONFIG_ERROR' });
    expect(sim.requests).toHaveLength(0);
  });

  test('no bucket allowed (WTS_FILE_BUCKETS unset): WtsConfigError naming the setting', async () => {
    delete process.env.WTS_FILE_BUCKETS;
    const { error } = await direct('message.sendFile', { from: ids.channelId, to: ids.contactPhone, fileS3: { bucket: BUCKET, key: KEY } });
    expect(error?.name).toBe('WtsConfigError');
    expect(error?.message).toMatch(/WTS_FILE_BUCKETS/);
    expect(sim.requests).toHaveLength(0);
  });

  test('an object that does not exist: WtsNotFoundError (404)', async () => {
    const http = await rest('message.sendFile', { from: ids.channelId, to: ids.contactPhone, fileS3: `s3://${BUCKET}/nao-existe.pdf` });
    expect(http.status).toBe(404);
    expect(http.body.error).toMatchObject({ name: 'WtsNotFoundError' });
    expect(http.body.error.message).toContain(`s3://${BUCKET}/nao-existe.pdf`);
    expect(sim.requests).toHaveLength(0);
  });

  test.each([
    [{ fileUrl: 'https://example.com/a.pdf', fileS3: { bucket: BUCKET, key: KEY } }, 'fileS3', 'give only one of fileUrl, fileId, file, fileS3 (got fileUrl, fileS3)'],
    [{ fileS3: 's3:/wts-arquivos' }, 'fileS3', 'must have one of the shapes its description names'],
    [{ fileS3: { bucket: BUCKET } }, 'fileS3.key', 'required'],
    [{ fileS3: { bucket: 'X_Y', key: 'a' } }, 'fileS3.bucket', 'has an invalid format'],
  ])('bad input %j: 400 naming %s', async (extra, field, problem) => {
    const http = await rest('message.sendFile', { from: ids.channelId, to: ids.contactPhone, ...extra });
    expect(http.status).toBe(400);
    expect(http.body.error.details).toContainEqual({ field, problem });
    expect(sim.requests).toHaveLength(0);
  });
});

test('the S3 client is loaded only when an input has fileS3: not by reads, not by other sends', async () => {
  const script = `
    const loaded = () => Object.keys(require.cache).some((f) => f.includes('@aws-sdk/client-s3') || f.includes('s3-request-presigner'));
    const { createHandler } = require('./functions/runtime/handler');
    for (const id of ['contact.list', 'template.list', 'message.sendText', 'message.sendFile', 'panel.createFileNote']) createHandler(id, { baseUrl: 'http://127.0.0.1:9', apiKeySource: require('./functions/runtime/api-key').staticApiKey('k_test_1234567890') });
    const before = loaded();
    require('./functions/runtime/file-s3');
    console.log(JSON.stringify({ before, after: loaded() }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ before: false, after: true });
});
