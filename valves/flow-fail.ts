/**
 * FlowFail: fails the flow with the configured OAuth error, always; placed behind an
 * `exec_if` it refuses the requests the expression picks out (FortifiedID's FlowFail).
 */
import { defineValve } from '../engine/index.js';
import { FLOW_ERROR_SCHEMA, flowError, flowErrorProblems, type FlowErrorConfig } from './flow-error.js';

export default defineValve<FlowErrorConfig>({
  name: 'FlowFail',
  description: 'Fail the flow with the configured OAuth error (usually behind exec_if).',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { ...FLOW_ERROR_SCHEMA },
  },
  check: (config) => flowErrorProblems(config),
  create(config, _engine, context) {
    const detail = `FlowFail (pipe '${context.pipeId}', valves[${context.index}])`;
    return async function flowFail() {
      throw flowError(config, 'the request was refused', detail);
    };
  },
});
