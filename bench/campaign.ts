/**
 * Benchmark (not a test): a 10,000-recipient campaign from a CSV through `wts-chat campaign send`
 * (local/campaign.ts) against the WTS simulator. Prints the WTS requests made, the duration, duplicates,
 * the 429s met and waited out, and the campaign process's peak memory. Asserts nothing.
 *
 *   npx tsx bench/campaign.ts            (both runs)
 *
 * Run 1: the send API's real limit (1,000 requests per 2 minutes): 100 requests, no 429.
 * Run 2: the simulator's limit shrunk to 25 requests per 3 s (another sender using the account): the
 *        429s are met, waited out (Retry-After) and every recipient is still sent exactly once.
 *
 * The campaign runs in a child process (the simulator, holding 10,000 contacts, sessions and messages,
 * stays in this one), so its memory is the campaign's own.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_IDS as ids } from '../functions/registry/examples';
import { startSimulator, SIMULATOR_TOKEN } from '../wts-simulator';
import { configureSendApiRateLimit, SEND_API_RATE_LIMIT, type SendApiRateLimit } from '../wts-simulator/routes/send-api';

const RECIPIENTS = 10_000;
const OUT = join(__dirname, 'out');

/** In the child: run the command, sample memory, print one JSON line. */
async function child(args: string[]): Promise<void> {
  const { campaignCommand } = await import('../local/campaign');
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 20);
  const started = Date.now();
  const err: string[] = [];
  const code = await campaignCommand(args, { out: () => undefined, err: (t) => err.push(t) }, { progress: false });
  clearInterval(timer);
  sample();
  process.stdout.write(JSON.stringify({ code, ms: Date.now() - started, peakRss, peakHeap, summary: err.join('').trim() }));
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Runs both campaigns and prints the report (also run by `npm run bench`). */
export async function benchCampaign(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wts-bench-campaign-'));
  const csv = join(dir, 'recipients.csv');
  const lines = ['to,nome,pedido'];
  for (let i = 0; i < RECIPIENTS; i++) lines.push(`+55 (11) 9${String(10_000_000 + i).slice(0, 4)}-${String(10_000_000 + i).slice(4)},Cliente ${i},${100_000 + i}`);
  writeFileSync(csv, `${lines.join('\r\n')}\r\n`);

  const sim = await startSimulator();
  const report: string[] = [`campaign benchmark: ${RECIPIENTS} recipients from a CSV (${mb(readFileSync(csv).length)}), send.templateBatch against the WTS simulator`];
  // Asynchronous: the simulator answering the child lives in this process's event loop.
  const runOnce = async (title: string, limit: SendApiRateLimit) => {
    sim.reset();
    configureSendApiRateLimit(sim.state, limit);
    const out = join(dir, `results-${title.replace(/\W+/g, '-')}.csv`);
    rmSync(out, { force: true });
    const args = ['send', '--csv', csv, '--from', ids.channelId, '--template', ids.templateId, '--out', out];
    const { stdout: text } = await promisify(execFile)(process.execPath, ['--import', 'tsx', __filename, '--child', ...args], {
      env: { ...process.env, WTS_API_KEY: SIMULATOR_TOKEN, WTS_BASE_URL: sim.url, LOG_LEVEL: 'silent' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const result = JSON.parse(text) as { code: number; ms: number; peakRss: number; peakHeap: number; summary: string };
    const batches = sim.requests.filter((r) => r.path === '/chat/v1/send/template/batch');
    const perRecipient = new Map<string, number>();
    for (const m of sim.state.messages.values()) if (m.origin === 'API' && m.templateId === ids.templateId) perRecipient.set(m.sessionId, (perRecipient.get(m.sessionId) ?? 0) + 1);
    const duplicates = [...perRecipient.values()].reduce((n, count) => n + (count - 1), 0);
    const results = readFileSync(out, 'utf8').trim().split('\r\n').length - 1;
    report.push(
      '',
      `${title} (simulator limit: ${limit.requests} requests / ${limit.windowMs / 1000} s per endpoint)`,
      `  exit code                ${result.code}`,
      `  WTS requests             ${batches.length} (${Math.ceil(RECIPIENTS / 100)} batches of 100 accepted, ${batches.length - Math.ceil(RECIPIENTS / 100)} answered 429 and waited out)`,
      `  recipients sent          ${perRecipient.size}, duplicates ${duplicates}`,
      `  result rows              ${results}`,
      `  duration                 ${(result.ms / 1000).toFixed(1)} s`,
      `  peak memory (campaign)   rss ${mb(result.peakRss)}, heap ${mb(result.peakHeap)}`,
      `  summary                  ${result.summary}`,
    );
  };
  try {
    await runOnce('run 1: the send API limit', SEND_API_RATE_LIMIT);
    await runOnce('run 2: a crowded account', { requests: 25, windowMs: 3000 });
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const text = report.join('\n');
  console.log(text);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'campaign.txt'), `${text}\n`);
}

if (process.argv.includes('--child')) void child(process.argv.slice(process.argv.indexOf('--child') + 1));
else if (require.main === module)
  benchCampaign().catch((error) => {
    console.error(error);
    process.exit(1);
  });
