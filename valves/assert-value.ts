/**
 * AssertValue: the flow goes on only when `value` (a template: a client attribute, a
 * request parameter, a claim) matches the regular expression `matches`, or equals `equals`;
 * otherwise it fails with the configured OAuth error.
 *
 * - `matches` must match the whole value, as Java's String.matches (which FortifiedID
 *   pipes were written against); it is compiled at load, and a shape that backtracks
 *   catastrophically is refused there (assert-value-regex.ts). A value longer than
 *   MAX_TESTED_LENGTH fails without being tested.
 * - `equals` compares as text (`equals: 5` passes for the parameter "5"); it may be a
 *   template, e.g. a request parameter that must equal a client attribute.
 * - A list passes when it is not empty and every element passes (`${grant.audience}` all
 *   within a pattern). A missing value, an object, or a list holding one fails.
 * - The caller's value never appears in the answer, nor in the log: it is the caller's to
 *   choose, of any size and content.
 */
import { defineValve, type ValveProblem } from '../engine/index.js';
import { compileWholeMatch, MAX_TESTED_LENGTH, regexProblem } from './assert-value-regex.js';
import { FLOW_ERROR_SCHEMA, flowError, flowErrorProblems, type FlowErrorConfig } from './flow-error.js';

export interface AssertValueConfig extends FlowErrorConfig {
  value: unknown;
  matches?: string;
  equals?: string | number | boolean;
}

type Scalar = string | number | boolean;

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function checkAssertValue(config: AssertValueConfig): ValveProblem[] {
  const problems = flowErrorProblems(config);
  const given = (['matches', 'equals'] as const).filter((key) => config[key] !== undefined);
  if (given.length !== 1) {
    problems.push({ message: given.length ? "give either 'matches' or 'equals', not both" : "say what the value must be: 'matches' (a regular expression) or 'equals'" });
  }
  const problem = config.matches === undefined ? undefined : regexProblem(config.matches);
  if (problem) problems.push({ message: problem, path: ['matches'] });
  return problems;
}

export default defineValve<AssertValueConfig>({
  name: 'AssertValue',
  description: 'Fail the flow with an OAuth error unless a value matches a regular expression or equals a value.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['value'],
    properties: {
      value: { description: 'The value to test: usually a ${…} template (${client.attributes.tier}, ${request.params.tenant}).' },
      matches: {
        type: 'string',
        pattern: '^(?![\\s\\S]*\\$\\{)',
        patternMessage: 'must be a regular expression, compiled at load (not a template)',
        description: `A regular expression (JavaScript, unicode) the whole value must match; values over ${MAX_TESTED_LENGTH} characters fail.`,
      },
      equals: { type: ['string', 'number', 'boolean'], description: 'The value it must equal, compared as text; may be a ${…} template.' },
      ...FLOW_ERROR_SCHEMA,
    },
  },
  check: (config) => checkAssertValue(config),
  create(config, engine, context) {
    const value = engine.compileTemplate(config.value);
    const expected = config.equals === undefined ? undefined : engine.compileTemplate(config.equals);
    // An invalid or risky pattern is reported by check(), which runs at every load: such a
    // config never serves, so this pattern is only ever a valid one.
    const pattern = config.matches === undefined || regexProblem(config.matches) ? undefined : compileWholeMatch(config.matches);
    const detail = `AssertValue (pipe '${context.pipeId}', valves[${context.index}]) failed`;

    const passes = (item: unknown, want: unknown): boolean => {
      if (!isScalar(item)) return false;
      const text = String(item);
      if (pattern) return text.length <= MAX_TESTED_LENGTH && pattern.test(text);
      return isScalar(want) && text === String(want);
    };

    return async function assertValue(flow, next) {
      const actual = value(flow);
      const want = expected?.(flow);
      const items: readonly unknown[] = Array.isArray(actual) ? actual : [actual];
      if (items.length === 0 || !items.every((item) => passes(item, want))) {
        throw flowError(config, 'the request does not meet a requirement of this client', detail);
      }
      await next();
    };
  },
});
