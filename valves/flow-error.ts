/**
 * The OAuth error a config tells a valve to fail with (AssertValue, FlowFail): one schema
 * fragment and one check, so both say the same thing about `error` and `description`.
 */
import { CONFIGURABLE_ERROR_CODES, OAuthError, type ConfigurableErrorCode, type ValveProblem } from '../engine/index.js';

export interface FlowErrorConfig {
  error: ConfigurableErrorCode;
  description?: string;
}

export const FLOW_ERROR_SCHEMA = {
  error: {
    enum: [...CONFIGURABLE_ERROR_CODES],
    default: 'invalid_request',
    description: 'The OAuth error code of the answer (RFC 6749 section 5.2); its HTTP status follows from it.',
  },
  description: {
    type: 'string',
    minLength: 1,
    maxLength: 300,
    // A template here could copy what the caller sent into the answer.
    pattern: '^(?![\\s\\S]*\\$\\{)',
    patternMessage: 'must be literal text: error_description never holds request values',
    description: 'The error_description; literal text (printable ASCII).',
  },
} as const;

/** RFC 6749 section 5.2: error_description is %x20-21 / %x23-5B / %x5D-7E. */
const DESCRIBABLE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

export function flowErrorProblems(config: FlowErrorConfig): ValveProblem[] {
  if (config.description === undefined || DESCRIBABLE.test(config.description)) return [];
  return [{ path: ['description'], message: 'error_description may hold only printable ASCII without " and \\ (RFC 6749 section 5.2)' }];
}

/** The configured error, with `fallback` as its description when the config gives none. */
export function flowError(config: FlowErrorConfig, fallback: string, detail: string): OAuthError {
  return new OAuthError(config.error, config.description ?? fallback, { detail });
}
