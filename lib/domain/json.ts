/** Telling JSON values apart, the same way everywhere input is read (events, DCS answers, files). */

/** A JSON object: not null, not an array. */
export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Own-property test (never the prototype chain: "constructor" in {} is true). */
export const hasOwn = (o: Record<string, unknown>, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);
