import { TestEnvironment } from 'jest-environment-node';
import { FILE_CHILDREN } from './children';
import { describeRecord, reap, type ChildRecord } from './reap';

/**
 * Node's test environment, plus one last step for each test file, after its last afterAll hook
 * whatever happened before: the children the file started (children.ts) that still run are
 * SIGKILLed with their process groups. A hook that timed out before it could hand its spec a
 * handle, or an afterAll that never ran, leaves nothing behind for the next file or for jest's exit.
 */
export default class ChildReapingEnvironment extends TestEnvironment {
  private readonly children: ChildRecord[] = [];

  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    (this.global as unknown as Record<string, ChildRecord[]>)[FILE_CHILDREN] = this.children;
  }

  override async teardown(): Promise<void> {
    const { killed, left } = await reap(this.children);
    // Not an error: a spec whose hook timed out has failed already. Said so the leak can be found.
    if (killed.length > 0) console.warn(`[children] killed what this test file left running: ${killed.map(describeRecord).join(', ')}`);
    if (left.length > 0) console.error(`[children] still running after SIGKILL: ${left.map(describeRecord).join(', ')}`);
    await super.teardown();
  }
}
