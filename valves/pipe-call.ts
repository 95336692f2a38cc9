/**
 * PipeCall: runs another pipe's enabled valves on this flow, as one step, then goes on
 * with the rest of this pipe: shared steps (assertions, claims, lookups) written once.
 *
 * The called pipe is found by id when the request runs, so it may come later in the file;
 * `check` refuses an unknown id (with a did-you-mean) and a cycle (engine/pipe-calls.ts).
 * What it does counts for the caller only as data: its writes are the caller's for wiring,
 * and its TokenResponse sets the flow's answer (a later one of the caller's replaces it);
 * but it never makes the caller authenticating or verifying, so the engine authenticates
 * the client before a pipe whose own valves do not, and the token endpoint answers only
 * flows proven by then (engine/token-endpoint.ts runPipe).
 */
import { defineValve } from '../engine/index.js';

export interface PipeCallConfig {
  pipe: string;
}

export default defineValve<PipeCallConfig>({
  name: 'PipeCall',
  description: "Run another pipe's valves as a step of this one, then go on.",
  calls: (config) => [config.pipe],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['pipe'],
    properties: {
      pipe: { type: 'string', minLength: 1, pattern: '^[^$]*$', patternMessage: 'must be a pipe id, not an expression', description: 'The id of the pipe to run.' },
    },
  },
  create(config, engine) {
    const run = engine.pipe(config.pipe);
    return async function pipeCall(flow, next) {
      await run(flow);
      await next();
    };
  },
});
