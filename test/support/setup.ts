import { DefaultLogger, Runtime } from '@temporalio/worker';

// Workers log every state change at INFO; tests want only what went wrong.
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
