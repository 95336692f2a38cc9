/**
 * `node bench/.out/profile.js FILE.cpuprofile [SKIP_SECONDS] [TOP]`: where a server's main
 * thread spent its time, from a V8 profile that `npm run bench -- --profile` wrote, leaving
 * out the first SKIP_SECONDS (start-up: give the server's start ms). Self time by
 * function and by where the code lives (a package, a node internal, a Sluice module),
 * as shares of the time the thread was not idle.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/NAME (scoped too), node:internal/…, dist/engine/… or dist/valves/…, or V8's own. */
export function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1]!;
  const sluice = /\/dist\/((?:engine|valves)\/.*)$/.exec(url);
  if (sluice) return `sluice ${sluice[1]}`;
  return url.replace(/^node:/, 'node ');
}

export function selfTimes(profile: Profile, skipMicros = 0): { byFunction: Map<string, number>; byPlace: Map<string, number>; busy: number } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let busy = 0;
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    elapsed += micros;
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)' || elapsed < skipMicros) return;
    busy += micros;
    const place = placeOf(url, functionName);
    const name = `${functionName || '(anonymous)'} ${url ? `${place}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
  });
  return { byFunction, byPlace, busy };
}

function top(entries: Map<string, number>, busy: number, count: number): string {
  return [...entries].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, micros]) => `${((micros / busy) * 100).toFixed(1).padStart(5)}%  ${name}`).join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [file, skip = '0', count = '25'] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/.out/profile.js FILE.cpuprofile [SKIP_SECONDS] [TOP]\n');
    process.exit(2);
  }
  const { byFunction, byPlace, busy } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(skip) * 1e6);
  process.stdout.write(`busy ${(busy / 1e6).toFixed(2)} s of main-thread time\n\nby place:\n${top(byPlace, busy, Number(count))}\n\nby function:\n${top(byFunction, busy, Number(count))}\n`);
}
