import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs for CloudWatch, with the Lambda request id on every line. */
export const logger = new Logger({ serviceName: 'complete-order-api' });
