/**
 * FortifiedID has no `env` or `file` scope (notes/fortifiedid-research.md, section 2.2), so
 * text such as `${env.AWS_SECRET_ACCESS_KEY}` in its config read nothing there. Carried over,
 * Sluice would read its own environment or a file when the output loads, and could publish
 * it: in discovery (discovery_meta), or in every token (a claim). So each one is reported
 * where it is written. The secret fields, where `${env.NAME}` is the spelling the import
 * itself recommends, are left alone.
 */
import type { ConfigPath } from '../../errors.js';
import { hasTemplate, isLoadTimeRead, parseTemplate } from '../../template.js';
import { isMap, type FoundModule } from './modules.js';

/** The module keys whose values come over (pipes.ts, oidc.ts). */
const CARRIED_KEYS = ['discovery_meta', 'rps', 'pipes', 'keystore', 'sign_jwt_keystore_password', 'sign_jwt_keystore_alias'];
const SECRET_KEYS = new Set(['client_secret', 'password', 'sign_jwt_keystore_password']);

/** The load-time namespaces a string reads (`env`, `file`, `globals`), in order; none for plain text. */
function loadTimeReads(text: string): string[] {
  if (!hasTemplate(text)) return [];
  try {
    return parseTemplate(text).flatMap((part) => (typeof part === 'string' ? [] : part.reads.filter(isLoadTimeRead).map((r) => r.namespace)));
  } catch {
    return []; // not a template Sluice reads: `sluice check` on the output says so
  }
}

/** Reports in `module`'s carried keys; only its pipes when its OIDC part is not the one imported (--tenant). */
export function reportLoadTimeReads(module: FoundModule, oidcCarried: boolean): void {
  const walk = (value: unknown, path: ConfigPath): void => {
    if (typeof value === 'string') {
      const reads = [...new Set(loadTimeReads(value))];
      if (reads.length === 0 || SECRET_KEYS.has(String(path.at(-1)))) return;
      module.input.sink.warn(
        'template',
        `reads ${reads.join(' and ')} at load in Sluice (FortifiedID has no such scope, so it read nothing there): the output would put that value here; write the value itself, or $\${…} for the text`,
        path,
      );
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (isMap(value)) for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  for (const key of oidcCarried ? CARRIED_KEYS : ['pipes']) if (Object.hasOwn(module.config, key)) walk(module.config[key], [...module.path, key]);
}
