import { setTimeout as delay } from 'node:timers/promises';
import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';

/** A Temporal client connection and the way to close it safely. */
export interface ClosableConnection {
  connection: Connection;
  close(): Promise<void>;
}

/**
 * Connects a Temporal client whose close never leaves an uncaught error behind.
 *
 * The SDK's gRPC retry interceptor schedules each retry with a timer. When that timer fires after
 * `Connection.close()`, the retry opens a call on the shut channel, and grpc-js throws "Channel has been shut down"
 * from the timer: an uncaught exception. This can happen, for example, to a call still retrying after Temporal was
 * unreachable. It killed a test run.
 *
 * Here the SDK's own retry policy is kept, with two changes. Once closing begins, no further retry is scheduled. And
 * `close` waits for the retries already scheduled (each at most 5 s away) to run on the open channel before it shuts
 * the channel.
 */
export async function connectTemporal(options: ConnectionOptions = {}): Promise<ClosableConnection> {
  const policy = defaultGrpcRetryOptions();
  let closing = false;
  let lastRetryAt = 0;
  const retry = makeGrpcRetryInterceptor({
    retryableDecider: (attempt, status) => !closing && policy.retryableDecider(attempt, status),
    delayFunction: (attempt, status) => {
      const ms = policy.delayFunction(attempt, status);
      lastRetryAt = Math.max(lastRetryAt, Date.now() + ms);
      return ms;
    },
  });
  const connection = await Connection.connect({ ...options, interceptors: [retry, ...(options.interceptors ?? [])] });
  return {
    connection,
    async close() {
      closing = true;
      const wait = lastRetryAt - Date.now();
      if (wait > 0) await delay(wait + 100);
      await connection.close();
    },
  };
}
