/** The public API of `sluice`: what plugin authors and embedders import. Re-exports only. */
export { defineValve } from './plugin-api.js';
export type { CompiledExpression, EngineServices, JsonSchema, Next, PipeRunner, Template, Valve, ValveCheckContext, ValveContext, ValveDefinition, ValveProblem } from './plugin-api.js';
export type { ExpressionNode, PathRead } from './expression/index.js';
export { MAX_DURATION_SECONDS, parseDuration } from './duration.js';
export type { TemplateOptions } from './template.js';
export { HttpClientError } from './http-client.js';
export type { HttpClient, HttpClientErrorCode, HttpClientRequest, HttpClientResponse } from './http-client.js';
export type { Client, ClientAuthentication, Flow, Grant, IssuedToken, TokenRequest } from './flow.js';
export type { Keystore, SigningAlg } from './keystores/types.js';
export {
  CONFIGURABLE_ERROR_CODES,
  ConfigError,
  InvalidClient,
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  InvalidTarget,
  isOAuthError,
  OAuthError,
  ServerError,
  TemporarilyUnavailable,
  UnauthorizedClient,
  UnsupportedGrantType,
} from './errors.js';
export type { ConfigErrorCode, ConfigPath, ConfigurableErrorCode, InvalidClientOptions, OAuthErrorCode, OAuthErrorOptions } from './errors.js';
export { loadConfigFile, loadConfigText } from './load.js';
export type { LoadOptions, LoadResult } from './load.js';
export type { Diagnostic } from './diagnostics.js';
export { formatDiagnostic } from './diagnostics.js';
export { Engine } from './engine.js';
export { createServer, type EngineHolder } from './http/server.js';
