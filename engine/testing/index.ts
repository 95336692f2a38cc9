/** `sluice/testing`: the test kit for valve authors (kit.ts). Re-exports only. */
export { runValve, testPipe, testValve, TestKitConfigError } from './kit.js';
export type { KitOptions, TestClock, TestError, TestKit, TestResult } from './kit.js';
export { testClient, tokenRequest } from './requests.js';
export type { TestClient, TestRequest } from './requests.js';
export type { TestPipe } from './config.js';
