/** The dialects the lab speaks (DESIGN.md v2). Kept apart so schemas can list them cheaply. */
export const DIALECT_NAMES = ['generic', 'github', 'microsoft'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];
