/** Types of gen-rps.mjs, for the tests that load such configs (test/engine/many-rps.test.ts). */
export declare const rpClientId: (n: number) => string;
export declare const rpSecret: (n: number) => string;
export declare const scryptSecret: (n: number) => string;
export declare const rpScopes: (n: number) => string[];
export declare const rpAudience: (n: number) => string;
export declare const hasScryptHash: (n: number, scryptEvery?: number) => boolean;
export declare function generateRpsConfig(options: { count: number; port?: number; scryptEvery?: number }): string[];
