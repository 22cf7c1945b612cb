/** Types of scripts/sdk-literal-trait-keys.mjs (plain Node so that `postinstall` needs nothing else). */
export function literalTraitKeys(source: string): { source: string; replaced: number };
export function schemaFiles(nodeModules: string): string[];
