/**
 * The pipe runner: koa-compose for valves. Each valve gets the flow and `next`, which runs
 * the rest of the pipe; a valve stops the pipe by throwing an OAuthError, or by returning
 * without calling next() (e.g. a cache that already has the answer).
 */
import type { Flow } from './flow.js';
import type { Valve } from './plugin-api.js';

export interface NamedValve {
  readonly name: string;
  readonly run: Valve;
}

export function compose(valves: readonly NamedValve[]): (flow: Flow) => Promise<void> {
  return function runPipe(flow: Flow): Promise<void> {
    let last = -1;
    const dispatch = async (i: number): Promise<void> => {
      if (i <= last) throw new Error(`valve '${valves[i - 1]?.name}' called next() more than once`);
      last = i;
      const valve = valves[i];
      if (!valve) return;
      let finished = false;
      await valve.run(flow, async () => {
        if (finished) throw new Error(`valve '${valve.name}' called next() after it returned (missing await?)`);
        await dispatch(i + 1);
      });
      finished = true;
    };
    return dispatch(0);
  };
}
