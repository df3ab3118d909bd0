// Runs a built bundle's handler the way FunctionGraph would, in this fresh process.
// Job (JSON on stdin): { bundle, events: [...], concurrency?, context?: {requestId, remainingMs, stopAfterMs, ak, sk, token}, resultFile }
// remainingMs counts down from each handler call. stopAfterMs: the process is SIGKILLed that long after a
// handler call began, as FunctionGraph stops a function at its timeout (no result is written then).
// stdout stays the function's own (audit and log lines); results go to resultFile.
const fs = require('node:fs');

function makeContext(spec, i, startedAt) {
  if (!spec) return undefined;
  const ctx = {};
  if (spec.requestId) ctx.getRequestID = () => `${spec.requestId}-${i}`;
  if (spec.remainingMs) ctx.getRemainingTimeInMilliSeconds = () => spec.remainingMs - (Date.now() - startedAt);
  if (spec.ak) ctx.getSecurityAccessKey = () => spec.ak;
  if (spec.sk) ctx.getSecuritySecretKey = () => spec.sk;
  if (spec.token) ctx.getSecurityToken = () => spec.token;
  return ctx;
}

async function main() {
  const job = JSON.parse(fs.readFileSync(0, 'utf8'));
  const { handler } = require(job.bundle);
  const results = new Array(job.events.length);
  let next = 0;
  const worker = async () => {
    while (next < job.events.length) {
      const i = next++;
      const startedAt = Date.now();
      const spec = job.context || {};
      const stop = spec.stopAfterMs ? setTimeout(() => process.kill(process.pid, 'SIGKILL'), spec.stopAfterMs) : null;
      try {
        results[i] = { ok: true, value: await handler(job.events[i], makeContext(job.context, i, startedAt)) };
      } catch (e) {
        results[i] = { ok: false, error: String(e && e.stack || e) };
      }
      if (stop) clearTimeout(stop);
    }
  };
  await Promise.all(Array.from({ length: job.concurrency || 1 }, worker));
  fs.writeFileSync(job.resultFile, JSON.stringify(results));
  // Exit without waiting on a guard store's idle connection, but only once stdout is flushed:
  // writes to a pipe are asynchronous, and process.exit() would drop the audit lines still queued.
  process.stdout.write('', () => process.exit(0));
}

main().catch((e) => {
  process.stderr.write(`invoke-child failed: ${e && e.stack}\n`);
  process.exit(70);
});
