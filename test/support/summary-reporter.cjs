/**
 * Prints one plain closing line, "jest: N passed, N failed, N skipped", that CI reads in any language.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failedSuites = results.numFailedTestSuites - 0;
    const failed = results.numFailedTests + (results.numRuntimeErrorTestSuites || 0);
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
    if (failedSuites && !failed) process.stdout.write(`(${failedSuites} test suites failed to run)\n`);
  }
}
module.exports = SummaryReporter;
