/**
 * Runs the longest test files first (longest-processing-time scheduling), from the durations a full run recorded
 * (test/support/durations.json, copied from test-artifacts/test-durations.json that the summary reporter writes).
 * On a fresh clone Jest has no timing cache and orders by file size, so a long browser test could start last and
 * leave the other worker idle; this keeps both workers busy to the end. Files with no recorded duration go by
 * Jest's own cache, then by size (a file of 20 kB counted as 10 s).
 */
const { statSync } = require('node:fs');
const { relative } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const recorded = require('./durations.json');

class LongestFirst extends Sequencer {
  sort(tests) {
    const estimate = (test) => {
      const known = recorded[relative(test.context.config.rootDir, test.path)];
      if (known !== undefined) return known;
      if (test.duration) return test.duration / 1000;
      try {
        return statSync(test.path).size / 2000;
      } catch {
        return 0;
      }
    };
    const withEstimates = tests.map((test) => ({ test, s: estimate(test) }));
    return withEstimates.sort((a, b) => b.s - a.s).map(({ test }) => test);
  }
}
module.exports = LongestFirst;
