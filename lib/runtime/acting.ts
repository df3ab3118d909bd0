import { onFirstUse } from './lazy';

/** The acting code (lib/runtime/acting-module.ts, dist/<fn>/act.js), required on first use. */
export const acting = /* @__PURE__ */ onFirstUse(() => require('./acting-module') as typeof import('./acting-module'));
