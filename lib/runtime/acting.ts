/** The acting code (lib/runtime/acting-module.ts, dist/<fn>/act.js), required on first use. */
type Acting = typeof import('./acting-module');

let loaded: Acting | undefined;

export function acting(): Acting {
  return (loaded ??= require('./acting-module') as Acting);
}
