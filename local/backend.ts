/**
 * Which WTS the local tools talk to, and the handlers that talk to it: the built-in simulator (the
 * default, nothing to configure) or the real WTS with a key from `WTS_API_KEY` / `WTS_API_KEY_FILE`
 * (host derived from the key, or `WTS_BASE_URL`). Shared by the local server and the CLI.
 * The key is never printed: only where it came from is.
 */
import { readFileSync } from 'node:fs';
import { getOperation } from '../functions/registry';
import { staticApiKey } from '../functions/runtime/api-key';
import { createHandler, type HandlerOptions } from '../functions/runtime/handler';
import { SIMULATOR_TOKEN, startSimulator, type Simulator, type SimulatorOptions } from '../wts-simulator';

export type LocalHandler = ReturnType<typeof createHandler>;

export interface BackendOptions {
  /** Talk to the real WTS with this key (otherwise: the simulator). */
  apiKey?: string;
  /** Where the key came from, for messages (never the key itself). */
  apiKeyOrigin?: string;
  /** WTS base URL (default: derived from the key by the handler). Ignored in simulator mode. */
  baseUrl?: string;
  /** Simulator listen host (loopback by default). */
  simulatorHost?: string;
  /** Behaviour of the simulator (simulator mode only), e.g. `deliverMessagesAfterMs`. */
  simulatorOptions?: Pick<SimulatorOptions, 'deliverMessagesAfterMs' | 'latencyMs'>;
  /** Extra handler options (e.g. `onPage` for progress). */
  handlerOptions?: Omit<HandlerOptions, 'apiKeySource' | 'baseUrl'>;
}

export interface Backend {
  mode: 'simulator' | 'wts';
  /** Human description of the target, safe to print. */
  describe: string;
  simulator?: Simulator;
  /** The operation's handler, created on first use and reused afterwards. */
  handler(operationId: string): LocalHandler;
  close(): Promise<void>;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The key from `WTS_API_KEY` or the file named by `WTS_API_KEY_FILE` (undefined when neither is set). */
export function apiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): { apiKey?: string; origin?: string } {
  if (env.WTS_API_KEY?.trim()) return { apiKey: env.WTS_API_KEY.trim(), origin: 'WTS_API_KEY' };
  const file = env.WTS_API_KEY_FILE?.trim();
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read WTS_API_KEY_FILE (${file}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const apiKey = text.trim();
  if (!apiKey) throw new ConfigError(`WTS_API_KEY_FILE (${file}) is empty.`);
  return { apiKey, origin: `WTS_API_KEY_FILE (${file})` };
}

export async function openBackend(options: BackendOptions = {}): Promise<Backend> {
  const handlers = new Map<string, LocalHandler>();
  const cached = (make: (id: string) => LocalHandler) => (operationId: string) => {
    let handler = handlers.get(operationId);
    if (!handler) {
      getOperation(operationId); // unknown ids fail here with the list of known ones
      handler = make(operationId);
      handlers.set(operationId, handler);
    }
    return handler;
  };

  if (options.apiKey) {
    const apiKeySource = staticApiKey(options.apiKey, options.apiKeyOrigin ?? 'the local configuration');
    const baseUrl = options.baseUrl || undefined;
    return {
      mode: 'wts',
      describe: `WTS at ${baseUrl ?? 'the host derived from the key'} (key from ${options.apiKeyOrigin ?? 'the options'})`,
      handler: cached((id) => createHandler(id, { ...options.handlerOptions, apiKeySource, baseUrl })),
      close: async () => undefined,
    };
  }

  const simulator = await startSimulator({ ...options.simulatorOptions, port: 0, host: options.simulatorHost ?? '127.0.0.1' });
  const apiKeySource = staticApiKey(SIMULATOR_TOKEN, 'the WTS simulator');
  return {
    mode: 'simulator',
    describe: `WTS simulator at ${simulator.url} (seeded example data)`,
    simulator,
    handler: cached((id) => createHandler(id, { ...options.handlerOptions, apiKeySource, baseUrl: simulator.url })),
    close: () => simulator.close(),
  };
}
