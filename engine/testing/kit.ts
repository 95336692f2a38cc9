/**
 * The test kit (`sluice/testing`): run one valve, or a whole pipe, against a token request
 * without HTTP. Underneath is a real load (the loader `sluice serve` uses, plugins and all),
 * a generated keystore, a memory store and a clock the test sets; a request goes through
 * the token endpoint's own steps (client authentication included), so a result is what a
 * client would be answered, plus what the pipe left in the flow.
 */
import { Writable } from 'node:stream';
import { join, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { Engine, type RegisteredClient } from '../engine.js';
import { pipeProgress } from '../flow-state.js';
import type { Flow, IssuedToken } from '../flow.js';
import { loadConfigText } from '../load.js';
import { createLogger } from '../logger.js';
import type { CompiledPipe } from '../pipes.js';
import type { ValveDefinition } from '../plugin-api.js';
import { handleTokenRequest } from '../token-endpoint.js';
import { buildKitConfig, KIT_ISSUER, KIT_KEYSTORE, secretVariable, type TestPipe } from './config.js';
import { encodeRequest, newSecret, testClient, type TestClient, type TestRequest } from './requests.js';

export interface KitOptions {
  /** The registered clients (default one: `testClient()`); requests name them by client_id. */
  readonly clients?: readonly TestClient[];
  /** The clock, seconds since the epoch (default: now when the kit starts); `kit.clock` moves it. */
  readonly now?: number;
  /** Plugin specs, as under `plugins:`, relative to baseDir. */
  readonly plugins?: readonly string[];
  /** Valve definitions to register, as if a plugin provided them. */
  readonly valves?: ReadonlyArray<ValveDefinition<never>>;
  /** Where plugin paths and `${file.…}` resolve (default: the current directory). */
  readonly baseDir?: string;
  /** `${env.…}` values the config may read. */
  readonly env?: Readonly<Record<string, string>>;
  readonly issuer?: string;
}

/** A settable clock: the engine's `now()`, the memory store's expiry and token times all read it. */
export interface TestClock {
  now(): number;
  set(seconds: number): void;
  advance(seconds: number): void;
}

/** What a request came to. */
export interface TestResult {
  /** The HTTP status the token endpoint answered with. */
  readonly status: number;
  /** The body it answered with (the token response, or the OAuth error). */
  readonly body: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;
  /** The token response, when the request succeeded. */
  readonly response: Readonly<Record<string, unknown>> | undefined;
  /** The OAuth error, when it failed; `valve` and `detail` come from the server log. */
  readonly error: TestError | undefined;
  /** What the pipe left in the flow (empty when it never ran: the client failed to authenticate). */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly state: Readonly<Record<string, unknown>>;
  readonly issued: Readonly<Record<string, IssuedToken>>;
  readonly grant: { readonly scope: readonly string[]; readonly audience: readonly string[] };
  /** The valve that ended the pipe by not calling next(), if one did. */
  readonly stoppedBy: string | undefined;
  /** The flow itself, for anything else. */
  readonly flow: Flow | undefined;
  /** The log lines of this request (pino objects). */
  readonly logs: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

export interface TestError {
  readonly code: string;
  readonly status: number;
  readonly description: string;
  /** The valve the server log names (a valve that threw something other than an OAuth error). */
  readonly valve?: string;
  /** Why, as logged (never sent to the client): a server_error's cause, say. */
  readonly detail?: string;
}

/** The config did not load: every problem, as `sluice check` would tell it. */
export class TestKitConfigError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[], locate: (d: Diagnostic) => string) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(`the pipe does not load:\n${errors.map((d) => `  ${locate(d)}: ${d.code}: ${d.message}`).join('\n')}`);
    this.name = 'TestKitConfigError';
    this.diagnostics = diagnostics;
  }
}

/** A loaded pipe, ready to run requests. */
export interface TestKit {
  run(request?: TestRequest): Promise<TestResult>;
  readonly clock: TestClock;
  /** The issuer tokens carry, and the published keys (to verify issued JWTs with jose). */
  readonly issuer: string;
  readonly jwks: { readonly keys: readonly Record<string, unknown>[] };
  /** Warnings `sluice check` would print for this pipe. */
  readonly warnings: readonly string[];
  /** The keystore id the kit's config has (`signing`), for CreateJwt's `keystore`. */
  readonly keystore: string;
}

class LogLines extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString().split('\n').filter(Boolean)) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

function testClock(start: number): TestClock {
  let current = start;
  return { now: () => current, set: (s) => (current = s), advance: (s) => (current += s) };
}

interface Mode {
  /** Run one valve: it need not answer; passing it is success. */
  readonly single: boolean;
}

/** Load `pipe` (an object, or YAML text) with the kit's clients; throws TestKitConfigError. */
export async function testPipe(pipe: TestPipe | string, options: KitOptions = {}): Promise<TestKit> {
  return start(pipe, options, { single: false });
}

/**
 * Load one valve, with `config`, as the only valve of a pipe. The engine authenticates the
 * client first (unless the valve does), as for any pipe; the valve need not answer.
 */
export async function testValve(definition: ValveDefinition<never>, config?: Readonly<Record<string, unknown>>, options: KitOptions = {}): Promise<TestKit> {
  const valves = [...(options.valves ?? []).filter((v) => v !== definition), definition];
  const pipe: TestPipe = { id: 'test', valves: [{ name: definition.name, ...(config === undefined ? {} : { config }) }] };
  return start(pipe, { ...options, valves }, { single: true });
}

/** testValve, then one request: `await runValve(MyValve, { tenant: 'acme' }, tokenRequest({ scope: 'read' }))`. */
export async function runValve(definition: ValveDefinition<never>, config?: Readonly<Record<string, unknown>>, request?: TestRequest, options?: KitOptions): Promise<TestResult> {
  return (await testValve(definition, config, options)).run(request);
}

async function start(pipe: TestPipe | string, options: KitOptions, mode: Mode): Promise<TestKit> {
  const clients = options.clients?.length ? options.clients : [testClient()];
  const secrets = clients.map(() => newSecret());
  const config = buildKitConfig({ pipe, clients, plugins: options.plugins ?? [], issuer: options.issuer ?? KIT_ISSUER });
  const clock = testClock(options.now ?? Math.floor(Date.now() / 1000));
  const logs = new LogLines();
  const file = join(resolve(options.baseDir ?? process.cwd()), 'sluice-test-kit.yaml');
  const env = { ...options.env, ...Object.fromEntries(secrets.map((s, i) => [secretVariable(i), s])) };
  const loaded = await loadConfigText(file, config.text, {
    env,
    now: clock.now,
    logger: createLogger('info', logs),
    valves: (options.valves ?? []).map((definition) => ({ definition, origin: `valve '${definition.name}' given to the test kit` })),
  });
  // The kit's own generated keystore is no news to the test.
  const warnings = loaded.diagnostics.filter((d) => d.severity === 'warning' && d.code !== 'keystore_invalid' && !(mode.single && /has no valve that answers/.test(d.message)));
  if (!loaded.engine) throw new TestKitConfigError(loaded.diagnostics, config.locate);
  const flows = new Map<string, Flow>();
  const engine = observed(loaded.engine, flows, mode);
  let requests = 0;
  return {
    clock,
    issuer: engine.issuer,
    jwks: engine.jwks as TestKit['jwks'],
    warnings: warnings.map((d) => `${config.locate(d)}: ${d.message}`),
    keystore: KIT_KEYSTORE,
    async run(request = {}) {
      const index = request.client === undefined ? 0 : clients.findIndex((c) => c.client_id === request.client);
      const client = clients[index] ?? testClient({ client_id: request.client! }); // unknown to the config: fails as a stranger
      const { body, authorization } = encodeRequest(request, client, secrets[index] ?? newSecret());
      const id = `test-${(requests += 1)}`;
      const answer = await handleTokenRequest(engine, { id, body, contentType: 'application/x-www-form-urlencoded', authorization, ip: request.ip ?? '192.0.2.1' });
      const flow = flows.get(id);
      flows.delete(id);
      const lines = logs.lines.filter((l) => l.req_id === id);
      return result(answer, flow, lines, mode);
    },
  };
}

/**
 * The engine as loaded, with each compiled pipe wrapped to keep the flow it ran on (and,
 * for a single valve, to let it pass without answering). Same pipes, same endpoint.
 */
function observed(engine: Engine, flows: Map<string, Flow>, mode: Mode): Engine {
  const wrap = (pipe: CompiledPipe): CompiledPipe => ({
    ...pipe,
    run: async (flow) => {
      flows.set(flow.id, flow);
      await pipe.run(flow);
      if (mode.single && flow.response === undefined && !pipeProgress(flow).stoppedBy) unanswered.add(flow);
      if (unanswered.has(flow)) flow.response = {};
    },
  });
  const clients = new Map<string, RegisteredClient>();
  for (const [id, registered] of engine.clients) {
    clients.set(id, { ...registered, pipes: new Map([...registered.pipes].map(([grant, pipe]) => [grant, wrap(pipe)])) });
  }
  return new Engine({ ...engine, clients });
}

/** Flows a single valve passed without answering: their placeholder response is not reported. */
const unanswered = new WeakSet<Flow>();

function result(answer: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, flow: Flow | undefined, logs: Array<Record<string, unknown>>, mode: Mode): TestResult {
  const ok = answer.status === 200;
  const logged = logs.find((l) => l.event === 'token') ?? {};
  const err = logged.err as { message?: string } | undefined;
  const detail = (logged.error_detail as string | undefined) ?? err?.message;
  const single = mode.single && flow !== undefined && unanswered.has(flow);
  return {
    status: answer.status,
    body: answer.body,
    headers: answer.headers,
    response: ok && !single ? answer.body : undefined,
    error: ok ? undefined : {
      code: String(answer.body.error),
      status: answer.status,
      description: String(answer.body.error_description ?? ''),
      ...(typeof logged.valve === 'string' ? { valve: logged.valve } : {}),
      ...(detail ? { detail } : {}),
    },
    claims: flow?.claims ?? {},
    state: flow?.state ?? {},
    issued: flow?.issued ?? {},
    grant: { scope: flow?.grant.scope ?? [], audience: flow?.grant.audience ?? [] },
    stoppedBy: flow ? pipeProgress(flow).stoppedBy : undefined,
    flow,
    logs,
  };
}

