/**
 * Campaigns from a CSV: `wts-chat campaign send` (local/campaign.ts) with the real send.templateBatch
 * handler and undici against the WTS simulator (its real-WTS mode: WTS_API_KEY + WTS_BASE_URL), or
 * through `npm start`'s server (--url). What WTS received, and the results file, are what is checked.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvRecords, type CsvRecord } from '../functions/campaign/csv';
import { EXAMPLE_IDS as ids } from '../functions/registry/examples';
import { campaignCommand } from '../local/campaign';
import { startLocalServer } from '../local/server';
import { startSimulator, SIMULATOR_TOKEN, type Simulator } from '../wts-simulator';
import { configureSendApiRateLimit, SEND_API_RATE_LIMIT } from '../wts-simulator/routes/send-api';

const BATCH_PATH = '/chat/v1/send/template/batch';
let sim: Simulator;
let dir: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  sim = await startSimulator();
  dir = mkdtempSync(join(tmpdir(), 'wts-campaign-'));
  Object.assign(process.env, { WTS_API_KEY: SIMULATOR_TOKEN, WTS_BASE_URL: sim.url, LOG_LEVEL: 'silent' });
});
afterAll(async () => {
  process.env = savedEnv;
  rmSync(dir, { recursive: true, force: true });
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  configureSendApiRateLimit(sim.state, SEND_API_RATE_LIMIT);
});

let files = 0;
const file = (text: string) => {
  const path = join(dir, `f${++files}.csv`);
  writeFileSync(path, text);
  return path;
};
const phone = (i: number) => `+55119${String(10_000_000 + i)}`;
const recipientsCsv = (n: number) => ['to,nome', ...Array.from({ length: n }, (_, i) => `${phone(i)},Cliente ${i}`)].join('\n');

const run = async (args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await campaignCommand(['send', '--from', ids.channelId, '--template', ids.templateId, ...args], { out: (t) => out.push(t), err: (t) => err.push(t) }, { progress: false });
  return { code, out: out.join(''), err: err.join('') };
};
const batches = () => sim.requests.filter((r) => r.path === BATCH_PATH && r.method === 'POST');
const sentMessages = () => batches().flatMap((r) => (r.body as { messages: { to: string }[] }).messages);
const results = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\r\n')
    .slice(1)
    .map((line) => line.split(','));
/** The results file's rows, read as CSV (an error message may hold commas and quotes). */
const parsedResults = async (path: string) => {
  const rows: string[][] = [];
  for await (const record of csvRecords([readFileSync(path, 'utf8')])) rows.push(record.fields);
  return rows.slice(1);
};

describe('the CSV', () => {
  const parse = async (chunks: string[]) => {
    const out: CsvRecord[] = [];
    for await (const record of csvRecords((async function* () { yield* chunks; })())) out.push(record);
    return out.map((r) => r.fields);
  };

  test('quotes, escaped quotes, separators and line breaks inside quotes, CRLF, a BOM, blank lines', async () => {
    const text = '\uFEFFto,nome,obs\r\n+5511999990001,"Souza, Maria","diz ""oi""\r\nem duas linhas"\r\n\r\n+5511999990002,João,\r\n';
    const expected = [
      ['to', 'nome', 'obs'],
      ['+5511999990001', 'Souza, Maria', 'diz "oi"\r\nem duas linhas'],
      ['+5511999990002', 'João', ''],
    ];
    expect(await parse([text])).toEqual(expected);
    // Split anywhere (every character its own chunk, CRLF pairs included), the same records.
    expect(await parse([...text])).toEqual(expected);
  });

  test('`;` separated (Excel in Brazil) is detected from the header', async () => {
    expect(await parse(['to;nome\n+5511999990001;Maria, a primeira\n'])).toEqual([['to', 'nome'], ['+5511999990001', 'Maria, a primeira']]);
  });

  test('an unclosed quote is an error naming the line', async () => {
    await expect(parse(['to,nome\n+5511999990001,"Maria\n'])).rejects.toThrow('a quoted field is not closed (line 2)');
  });
});

describe('rows to batches', () => {
  test('every other column is a template parameter; fileIdOrUrl, senderId and callbackUrl go on the message; bad rows are reported, not sent', async () => {
    const csv = file(
      [
        'to;nome;pedido;fileIdOrUrl;SenderId;callbackUrl',
        '+55 (11) 99999-0001;Maria;1234;https://example.com/boleto-1234.pdf;cliente-1;https://hooks.example.com/wts',
        ';Sem telefone;1;;;',
        '+5511999990002;João;5678;;;',
        'abc;Telefone ruim;9;;;',
        '+5511999990003;Ana;91011;;cliente-3;not-a-url',
      ].join('\r\n'),
    );
    const out = join(dir, 'mapping.csv');

    const { code, err } = await run(['--csv', csv, '--out', out]);

    expect(code).toBe(0);
    expect(err).toContain('5 rows · sent 2 · failed 0 · invalid 3 · 1 requests');
    expect(batches()).toHaveLength(1);
    expect(batches()[0].body).toEqual({
      from: ids.channelId,
      templateId: ids.templateId,
      messages: [
        {
          to: '+5511999990001',
          parameters: { nome: 'Maria', pedido: '1234' },
          fileIdOrUrl: 'https://example.com/boleto-1234.pdf',
          senderId: 'cliente-1',
          callbackUrl: 'https://hooks.example.com/wts',
        },
        { to: '+5511999990002', parameters: { nome: 'João', pedido: '5678' } },
      ],
    });
    const rows = readFileSync(out, 'utf8').trim().split('\r\n');
    expect(rows[0]).toBe('row,to,status,messageId,senderId,error');
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 3))).toEqual([
      ['1', '+5511999990001', 'sent'],
      ['2', '', 'invalid'],
      ['3', '+5511999990002', 'sent'],
      ['4', 'abc', 'invalid'],
      ['5', '+5511999990003', 'invalid'],
    ]);
    expect(rows[2]).toContain('no ""to"": the phone number is missing');
    expect(rows[4]).toContain('malformed phone number ""abc""');
    expect(rows[5]).toContain('callbackUrl must be an http(s) URL');
    // The message ids are WTS's.
    expect([...sim.state.messages.keys()]).toContain(rows[1].split(',')[3]);
  });

  test('250 recipients: 3 requests of 100, 100 and 50, in the order of the file; results on stdout without --out', async () => {
    const { code, out } = await run(['--csv', file(recipientsCsv(250))]);
    expect(code).toBe(0);
    expect(batches().map((r) => (r.body as { messages: unknown[] }).messages.length)).toEqual([100, 100, 50]);
    expect(sentMessages().map((m) => m.to)).toEqual(Array.from({ length: 250 }, (_, i) => phone(i)));
    expect(out.trim().split('\r\n')).toHaveLength(251);
  });

  test('a CSV without a "to" column stops before anything is sent', async () => {
    const { code, err } = await run(['--csv', file('telefone,nome\n+5511999990001,Maria\n')]);
    expect(code).toBe(1);
    expect(err).toContain('the header has no "to" column');
    expect(sim.requests).toHaveLength(0);
  });
});

describe('resume and pacing', () => {
  test('run again with the same --out: the rows already in it are not sent again', async () => {
    const csv = file(recipientsCsv(250));
    const out = join(dir, 'resume.csv');
    expect((await run(['--csv', csv, '--out', out])).code).toBe(0);
    // As if the first run had died after its first batch: only that batch's results are in the file.
    const lines = readFileSync(out, 'utf8').split('\r\n');
    writeFileSync(out, `${lines.slice(0, 101).join('\r\n')}\r\n`);
    sim.reset();

    const second = await run(['--csv', csv, '--out', out]);

    expect(second.code).toBe(0);
    expect(second.err).toContain('skipped 100');
    expect(sentMessages().map((m) => m.to)).toEqual(Array.from({ length: 150 }, (_, i) => phone(100 + i)));
    const rows = results(out);
    expect(rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(rows.every((r) => r[2] === 'sent')).toBe(true);

    // And a third run has nothing left to send.
    sim.reset();
    expect((await run(['--csv', csv, '--out', out])).err).toContain('skipped 250');
    expect(sim.requests).toHaveLength(0);
  });

  test('429s mid-campaign are waited out (Retry-After) and every recipient is sent exactly once', async () => {
    // The send API's limit, shrunk: 2 requests a second on the batch endpoint.
    configureSendApiRateLimit(sim.state, { requests: 2, windowMs: 1000 });
    const out = join(dir, 'paced.csv');

    const { code, err } = await run(['--csv', file(recipientsCsv(500)), '--out', out]);

    expect(code).toBe(0);
    // 5 batches were accepted; every other request met a 429 and was sent again after its Retry-After.
    const limited = batches().length - 5;
    expect(limited).toBeGreaterThan(0);
    expect(err).toContain(`${batches().length} requests · ${limited} rate limited (waited out)`);
    // Each recipient received one message, whatever the retries.
    const perPhone = new Map<string, number>();
    for (const m of sim.state.messages.values()) if (m.templateId === ids.templateId && m.origin === 'API') perPhone.set(m.sessionId, (perPhone.get(m.sessionId) ?? 0) + 1);
    expect(perPhone.size).toBe(500);
    expect([...perPhone.values()].every((n) => n === 1)).toBe(true);
    // A 429'd batch was sent again as it was: 5 distinct bodies in all.
    const accepted = batches().filter((r, i, all) => all.findIndex((o) => JSON.stringify(o.body) === JSON.stringify(r.body)) === i);
    expect(accepted).toHaveLength(5);
    expect(results(out).filter((r) => r[2] === 'sent')).toHaveLength(500);
  }, 20_000);
});

describe('the checkpoint is the recipients, not only the row numbers', () => {
  test('a results file written for another CSV is refused (exit 2, naming the row); nothing is sent, the file is untouched', async () => {
    const out = join(dir, 'a-results.csv');
    expect((await run(['--csv', file(recipientsCsv(3)), '--out', out])).code).toBe(0);
    const written = readFileSync(out, 'utf8');
    sim.reset();

    // B.csv: other people on the same row numbers.
    const other = file(['to,nome', '+5521988880001,Bia', '+5521988880002,Caio', '+5521988880003,Duda', '+5521988880004,Eva'].join('\n'));
    const { code, err } = await run(['--csv', other, '--out', out]);

    expect(code).toBe(2);
    expect(err).toContain(`records row 1 as ${phone(0)}, but row 1 of --csv ${other} is +5521988880001`);
    expect(err).toContain('Nothing was sent');
    expect(sim.requests).toHaveLength(0);
    expect(readFileSync(out, 'utf8')).toBe(written);
  });

  test('the CSV edited between runs (a row inserted above the recorded ones) is refused before anything is sent', async () => {
    const out = join(dir, 'edited-results.csv');
    const first = file(recipientsCsv(150));
    expect((await run(['--csv', first, '--out', out])).code).toBe(0);
    // As if the first run had stopped after its first batch.
    writeFileSync(out, `${readFileSync(out, 'utf8').split('\r\n').slice(0, 101).join('\r\n')}\r\n`);
    sim.reset();

    // Rows 1-49 unchanged, a new customer inserted at row 50: rows 50-100 shifted down by one.
    const lines = recipientsCsv(150).split('\n');
    const edited = file([...lines.slice(0, 50), '+5531977770000,Nova', ...lines.slice(50)].join('\n'));
    const { code, err } = await run(['--csv', edited, '--out', out]);

    expect(code).toBe(2);
    expect(err).toContain(`records row 50 as ${phone(49)}, but row 50 of --csv ${edited} is +5531977770000`);
    expect(sim.requests).toHaveLength(0);
  });

  test('the same recipients formatted otherwise (spaces, dashes, parentheses) are the same: resumed, not refused', async () => {
    const out = join(dir, 'formatted-results.csv');
    expect((await run(['--csv', file('to,nome\n+5511999990001,Maria\nabc,Ruim\n'), '--out', out])).code).toBe(0);
    sim.reset();
    const { code, err } = await run(['--csv', file('to,nome\n+55 (11) 99999-0001,Maria\n abc ,Ruim\n+5511999990002,João\n'), '--out', out]);
    expect(code).toBe(0);
    expect(err).toContain('skipped 2');
    expect(sentMessages().map((m) => m.to)).toEqual(['+5511999990002']);
  });
});

test('a rerun sends again the rows that certainly failed unsent, never those WTS may have sent', async () => {
  // Batch 1 (rows 1-100): WTS acted, then failed with a 500: may have been sent.
  sim.fault({ match: { path: BATCH_PATH }, type: 'status', status: 500, afterProcessing: true });
  // Batch 2 (rows 101-200): WTS refused it (400): nothing sent.
  sim.fault({ match: { path: BATCH_PATH }, type: 'status', status: 400, body: { error: true, key: 'ERROR_TEMPLATE_NOT_APPROVED', text: 'Modelo não aprovado' } });
  // Batch 3 (rows 201-250): row 250 is a number WTS reports FAILED (too short); the rest are sent.
  const lines = recipientsCsv(250).split('\n');
  lines[250] = '+12345678,Curto';
  const csv = file(lines.join('\n'));
  const out = join(dir, 'retry-results.csv');

  const first = await run(['--csv', csv, '--out', out]);

  expect(first.code).toBe(0);
  const firstRows = await parsedResults(out);
  expect(firstRows.slice(0, 100).every((r) => r[2] === 'failed' && r[5].startsWith('WtsUpstreamError:') && r[5].includes('WTS may have sent these'))).toBe(true);
  expect(firstRows.slice(100, 200).every((r) => r[2] === 'failed' && r[5].startsWith('WtsValidationError:'))).toBe(true);
  expect(firstRows[249].slice(0, 3)).toEqual(['250', '+12345678', 'failed']);
  const sentBefore = sim.state.messages.size;
  sim.reset();

  const second = await run(['--csv', csv, '--out', out]);

  expect(second.code).toBe(0);
  expect(second.err).toContain('skipped 149');
  // Rows 101-200 and 250 again; rows 1-100 (WTS may have sent them) and the sent ones not.
  expect(sentMessages().map((m) => m.to)).toEqual([...Array.from({ length: 100 }, (_, i) => phone(100 + i)), '+12345678']);
  expect(sentBefore).toBeGreaterThan(0);
  // The results file now answers rows 101-200 as sent (appended after the first run's lines).
  const appended = (await parsedResults(out)).slice(250);
  expect(appended.filter((r) => r[2] === 'sent').map((r) => Number(r[0]))).toEqual(Array.from({ length: 100 }, (_, i) => 101 + i));
});

test('--url: an address that is not the local API root (404 RouteNotFound) stops the campaign as a WtsConfigError; no row is marked "may have sent"', async () => {
  const server = await startLocalServer({ port: 0, quiet: true });
  try {
    const out = join(dir, 'wrong-url.csv');
    const { code, err } = await run(['--csv', file(recipientsCsv(3)), '--url', `${server.url}/api`, '--out', out]);
    expect(code).toBe(1);
    expect(err).toContain('WtsConfigError: ');
    expect(err).toContain('answered 404 RouteNotFound');
    expect(err).toContain('the campaign stopped');
    expect(server.simulator!.requests).toHaveLength(0);
    // Nothing recorded for the rows: a rerun at the right address sends them.
    expect(results(out)).toEqual([]);
    const again = await run(['--csv', file(recipientsCsv(3)), '--url', server.url, '--out', out]);
    expect(again.code).toBe(0);
    expect(results(out).map((r) => r[2])).toEqual(['sent', 'sent', 'sent']);
  } finally {
    await server.close();
  }
});

test('--url: the batches go through a running local API (npm start)', async () => {
  const server = await startLocalServer({ port: 0, quiet: true });
  try {
    const { code } = await run(['--csv', file(recipientsCsv(3)), '--url', server.url]);
    expect(code).toBe(0);
    const received = server.simulator!.requests.filter((r) => r.path === BATCH_PATH);
    expect(received).toHaveLength(1);
    expect((received[0].body as { messages: { to: string }[] }).messages.map((m) => m.to)).toEqual([phone(0), phone(1), phone(2)]);
  } finally {
    await server.close();
  }
});
