/**
 * jest's own order (failed first, then slowest first), except that the cluster harness spec runs
 * after every other cluster spec: its last test takes the run's shared cluster down and checks that
 * nothing is left (deploy/test/support/shared-cluster.ts), so the run brings the cluster up once.
 * Plain JavaScript: jest loads a sequencer without transforming it.
 */
const Sequencer = require('@jest/test-sequencer').default;

const LAST = /deploy\/test\/cluster\/cluster\.spec\.ts$/;

class ClusterHarnessLastSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted.filter((test) => !LAST.test(test.path)), ...sorted.filter((test) => LAST.test(test.path))];
  }
}

module.exports = ClusterHarnessLastSequencer;
