/**
 * Test runs log Temporal errors only: INFO per saga step and a WARN per expected saga
 * failure would drown the report.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('ERROR') });
