/** The public API of `sluice`: what plugin authors and embedders import. Re-exports only. */
export { defineValve } from './plugin-api.js';
export type { CompiledExpression, EngineServices, JsonSchema, Next, PipeRunner, Template, Valve, ValveContext, ValveDefinition } from './plugin-api.js';
export type { DestNames, ValveCheckContext, ValveProblem } from './plugin-api.js';
export type { ConfigOf, ValveConfig } from './config-types.js';
export type { ExpressionNode, PathRead } from './expression/index.js';
export type { TemplateOptions } from './template.js';
export { HttpClientError } from './http-client.js';
export type { HttpClient, HttpClientErrorCode, HttpClientRequest, HttpClientResponse } from './http-client.js';
export { RESPONSE_DEST } from './flow.js';
export type { Client, ClientAuthentication, Flow, Grant, IssuedToken, TokenRequest, VerifiedAssertion } from './flow.js';
export type { Keystore, SigningAlg, TokenSigner } from './keystores/types.js';
export type { InlineKeystoreConfig } from './keystores/inline.js';
export { SIGNING_ALGS } from './keystores/types.js';
export type { Store } from './store/types.js';
// Helpers built-in valves use: stateless functions over the public types (what depends on
// the loaded config, such as the issuer, keystores, store and clock, is in EngineServices).
export { MAX_DURATION_SECONDS, parseDuration } from './duration.js';
export { issuedClaims } from './tokens/issued-claims.js';
export { merged } from './merge.js';
export { newOpaqueToken, storeOpaqueToken } from './tokens/opaque-token.js';
export type { ActiveTokenRecord } from './tokens/active-token-record.js';
export { chargeClientQuota, type ClientQuota } from './store/client-quota.js';
// Reading `${…}` templates in a valve's check() (what a template refers to, who controls it).
export { hasTemplate, parseTemplate } from './template.js';
export type { Expression as TemplateExpression, TemplatePart } from './template.js';
export { REQUEST_NAMESPACES, statePath } from './namespaces.js';
export { readsCallerChosen } from './caller-chosen.js';
export type { FieldShape, RequestNamespace } from './namespaces.js';
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
