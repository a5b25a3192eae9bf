/** Test runs log Temporal warnings and errors only; INFO per saga step drowns the report. */
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });
