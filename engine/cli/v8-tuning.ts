/**
 * V8 tuning for a process that serves requests (`sluice serve` and its workers).
 *
 * Allocation-site pretenuring is off. V8 watches each object literal's allocation site
 * and, once nearly all of a site's objects outlive a young-generation collection, allocates
 * that site's objects straight into the old generation. A request's objects die within
 * milliseconds, but a few collections that caught many of them alive (start-up, a burst)
 * were enough to tenure the sites of the flow and its parts; from then on each flow lived in
 * the old generation, kept its young parts alive through every young collection until the
 * next full one, those parts were promoted in turn, and their sites tenured too (issue 14;
 * `node --trace-gc-nvp`, `--trace-pretenuring-statistics`): ~1 MB promoted per young
 * collection, young pauses of 5-6 ms instead of 2, a 100,000-client server at ~500 MB of RSS
 * after load instead of ~370. The token endpoint now builds its objects so that the common
 * pipe does not trip this; the flag guards every other pipe and plugin valve. What a serving
 * process keeps for long (the compiled config) is made once at load and promoted once.
 *
 * The flag is read at each collection, so setting it at run time takes effect (checked:
 * the promoted bytes above). An operator who names the flag on node's command line
 * (`node --allocation-site-pretenuring …`, or `--allocation_site_pretenuring`: V8 reads
 * `_` as `-`; or its `--no-`/`--no` form) keeps what they chose. NODE_OPTIONS cannot hold it (node
 * refuses V8 flags there but a few).
 */
import { setFlagsFromString } from 'node:v8';

const OPERATOR_CHOICE = /^--(?:no[-_]?)?allocation[-_]site[-_]pretenuring$/;

/** Returns the V8 flags it set (for the tests). */
export function tuneV8ForServing(execArgv: readonly string[] = process.execArgv, setFlags: (flags: string) => void = setFlagsFromString): string[] {
  if (execArgv.some((arg) => OPERATOR_CHOICE.test(arg))) return [];
  const flags = ['--no-allocation-site-pretenuring'];
  for (const flag of flags) setFlags(flag);
  return flags;
}
