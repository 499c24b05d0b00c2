/** Kept for the files that import the test server from here; the support lives in test/support/time-skipping.ts. */
export { registerOrderSearchAttributes, startOrderTestServer } from '../support/time-skipping';
