/**
 * The loopback servers the benchmarks call (WTS simulator, Secrets Manager, EventBridge), in a process of
 * their own: as in Lambda, where WTS and AWS are elsewhere, the server's work is not done on the function's
 * event loop (in one process, each request's server side would run between the handler's own steps and
 * be counted in both the handler's and the raw request's time).
 *
 *   node --import tsx bench/servers.ts '{"secrets":{"id":"value"}}'   prints one JSON line: { sim, sm, eb }
 *
 * Stops when its parent closes stdin.
 */
import { startEventBridgeEndpoint } from '../test/support/eventbridge-endpoint';
import { startSecretsManagerEndpoint } from '../test/support/secrets-manager-endpoint';
import { startSimulator } from '../wts-simulator';

// On Node 20 the AWS SDK warns once that its 2027 releases need Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const main = async () => {
  const { secrets } = JSON.parse(process.argv[2] ?? '{}') as { secrets?: Record<string, string> };
  const [sim, sm, eb] = await Promise.all([startSimulator(), startSecretsManagerEndpoint(secrets ?? {}), startEventBridgeEndpoint()]);
  // What the servers record for tests (every request, every event) is of no use here: dropped each second,
  // so their heap, and their garbage collection, stay the same from the first figure to the last.
  setInterval(() => {
    sim.requests.length = 0;
    eb.reset();
  }, 1000).unref();
  process.stdout.write(`${JSON.stringify({ sim: sim.url, sm: sm.url, eb: eb.url })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
