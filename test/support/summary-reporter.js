// Prints plain closing lines that CI log readers understand:
//   tests: N passed, N failed, N skipped
//   skipped N tests: <reason>            (one line per reason, e.g. redis-server missing)
// A describe skipped for a missing tool carries its reason in its title, after SKIP_MARK
// (test/support/redis-server.ts): a newcomer learns what did not run, and why.
const SKIP_MARK = ' — skipped: ';

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    let text = `\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`;
    for (const [reason, count] of skipReasons(results)) text += `skipped ${count} test${count === 1 ? '' : 's'}: ${reason}\n`;
    process.stdout.write(text);
  }
}

/** reason -> number of pending tests whose describe title carries it. */
function skipReasons(results) {
  const reasons = new Map();
  for (const file of results.testResults) {
    for (const test of file.testResults) {
      if (test.status !== 'pending') continue;
      const marked = test.ancestorTitles.find((title) => title.includes(SKIP_MARK));
      if (!marked) continue;
      const reason = marked.slice(marked.indexOf(SKIP_MARK) + SKIP_MARK.length);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  return reasons;
}

module.exports = SummaryReporter;
module.exports.SKIP_MARK = SKIP_MARK;
