import { TEST_TIMEOUT_MS } from './timeouts';

// The e2e and deploy projects' default for tests and hooks without a timeout of their own: jest's
// 5 s is too short on a loaded machine. (A project's `testTimeout` in jest.config.js is ignored:
// jest only reads the top-level one, which would also apply to the unit project.)
jest.setTimeout(TEST_TIMEOUT_MS);
