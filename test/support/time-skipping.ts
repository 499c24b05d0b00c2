import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalTestServer } from '../../src/infra/binaries';

/** A time-skipping test environment on the project-local test server binary (the SDK cannot download one here). */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: findTemporalTestServer() } },
  });
}
