/**
 * Plugins import from 'sluice' without installing it: a module resolve hook maps the bare
 * specifier `sluice` (and `sluice/…` subpaths) to the package of the engine that is running,
 * so every plugin shares the engine's one copy (one OAuthError class, one registry of
 * types) wherever the plugin's folder is. A plugin's own copy of sluice, if it installed
 * one for its types, is bypassed the same way.
 *
 * The hook resolves the specifier as if this package imported itself (package
 * self-reference through the `exports` map), so subpaths follow `exports` too.
 * Node 20.6+ (`module.register`); on older Node a plugin needs sluice installed beside it.
 */
import * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';
import { packagePath } from './package-root.js';

/**
 * The hook runs in Node's loader thread, so it is its own tiny module. It is passed as a
 * data: URL so that it loads the same whether the engine runs from dist/ or from sources.
 */
const HOOK_SOURCE = `
let engineParentUrl;
export function initialize(data) { engineParentUrl = data.engineParentUrl; }
export function resolve(specifier, context, nextResolve) {
  if (specifier === 'sluice' || specifier.startsWith('sluice/')) {
    return nextResolve(specifier, { ...context, parentURL: engineParentUrl });
  }
  return nextResolve(specifier, context);
}
`;

let registered = false;

/** Install the hook once per process; a no-op where Node lacks module.register. */
export function provideSluiceToPlugins(): void {
  if (registered) return;
  registered = true;
  const register = (nodeModule as { register?: typeof nodeModule.register }).register;
  if (typeof register !== 'function') return;
  // Any file inside this package works as the importer for a self-reference.
  register(`data:text/javascript,${encodeURIComponent(HOOK_SOURCE)}`, {
    data: { engineParentUrl: pathToFileURL(packagePath('package.json')).href },
  });
}
