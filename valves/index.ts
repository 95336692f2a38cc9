/** The built-in valves, registered exactly as plugins are (engine/load/phases.ts). */
import type { ValveDefinition } from '../engine/index.js';
import clientAuthenticate from './client-authenticate.js';
import createJwt from './create-jwt.js';
import createOpaqueToken from './create-opaque-token.js';
import scopeCheck from './scope-check.js';
import tokenResponse from './token-response.js';
import verifyAssertion from './verify-assertion.js';
import mapIdentity from './map-identity.js';
import rateLimit from './rate-limit.js';
import tokenCache from './token-cache.js';
import httpRequest from './http-request.js';
import assertValue from './assert-value.js';
import flowFail from './flow-fail.js';
import claimsSet from './claims-set.js';
import stateSet from './state-set.js';
import pipeCall from './pipe-call.js';
import pipeExec from './pipe-exec.js';
import jsonObjectCreate from './json-object-create.js';

export const BUILT_IN_VALVES: ReadonlyArray<ValveDefinition<never>> = [
  clientAuthenticate, verifyAssertion, mapIdentity, scopeCheck, rateLimit, tokenCache, httpRequest,
  assertValue, flowFail, claimsSet, stateSet, pipeCall, pipeExec, createJwt, createOpaqueToken, tokenResponse, jsonObjectCreate,
];
