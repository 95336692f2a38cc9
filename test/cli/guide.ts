/**
 * Reading docs/writing-a-valve.md as a reader does: its sections, the files it shows
 * ("File `NAME`" then a fenced block) and the shell lines it tells you to run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export const GUIDE = join(ROOT, 'docs/writing-a-valve.md');

/** From the `## ` heading that starts with `heading` to the next `## ` heading. */
export function guideSection(heading: string): string {
  const guide = readFileSync(GUIDE, 'utf8');
  const start = guide.indexOf(`\n## ${heading}`);
  if (start < 0) throw new Error(`the guide has no section '${heading}'`);
  const end = guide.indexOf('\n## ', start + 1);
  return guide.slice(start, end < 0 ? undefined : end);
}

/** The guide's text before the first `## ` heading that starts with `heading`. */
export function guideUntil(heading: string): string {
  const guide = readFileSync(GUIDE, 'utf8');
  const end = guide.indexOf(`\n## ${heading}`);
  if (end < 0) throw new Error(`the guide has no section '${heading}'`);
  return guide.slice(0, end);
}

/** The files a text shows: a "File `NAME`" line, then a fenced block with its content. */
export function documentedFiles(text: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const m of text.matchAll(/^File `([^`]+)`.*\n\n```\w*\n([\s\S]*?)^```$/gm)) files[m[1]!] = m[2]!;
  return files;
}

/** The shell lines a text shows, without comments. */
export function documentedCommands(text: string): string[] {
  return [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)]
    .flatMap((m) => m[1]!.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}
