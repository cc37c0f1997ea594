export declare const CHROMIUM_PATH: string;
export declare const CHROMIUM_ARGS: readonly string[];
export declare const PARTITIONED_FEATURES: string;
export declare const THIRD_PARTY_COOKIES_ALLOWED_PREFERENCES: string;
