/**
 * Prints one plain closing line, "jest: N passed, N failed, N skipped", that CI reads in any language, and before it
 * the slowest test files (the whole run must stay within CI's time budget; this shows where it goes).
 */
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    // every file's duration, for test/support/sequencer.cjs (copy it to test/support/durations.json after a full run)
    const durations = Object.fromEntries(
      results.testResults
        .map((r) => [r.testFilePath.replace(process.cwd() + '/', ''), Math.round((r.perfStats.end - r.perfStats.start) / 100) / 10])
        .sort((a, b) => b[1] - a[1]),
    );
    try {
      mkdirSync(join(process.cwd(), 'test-artifacts'), { recursive: true });
      writeFileSync(join(process.cwd(), 'test-artifacts', 'test-durations.json'), JSON.stringify(durations, null, 2) + '\n');
    } catch {
      // a read-only checkout: the summary below is still printed
    }
    const slowest = results.testResults
      .map((r) => ({ file: r.testFilePath.replace(process.cwd() + '/', ''), s: (r.perfStats.end - r.perfStats.start) / 1000 }))
      .sort((a, b) => b.s - a.s)
      .slice(0, 15);
    const total = results.testResults.reduce((sum, r) => sum + (r.perfStats.end - r.perfStats.start) / 1000, 0);
    process.stdout.write(`\nslowest test files (of ${Math.round(total)} s in all files):\n`);
    for (const { file, s } of slowest) process.stdout.write(`  ${s.toFixed(1).padStart(6)} s  ${file}\n`);
    const failedSuites = results.numFailedTestSuites - 0;
    const failed = results.numFailedTests + (results.numRuntimeErrorTestSuites || 0);
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
    if (failedSuites && !failed) process.stdout.write(`(${failedSuites} test suites failed to run)\n`);
  }
}
module.exports = SummaryReporter;
