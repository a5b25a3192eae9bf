import { Logger } from '@aws-lambda-powertools/logger';
import { API_SERVICE_NAME } from './service-name';

/** Structured JSON logs for CloudWatch, with the Lambda request id on every line. */
export const logger = new Logger({ serviceName: API_SERVICE_NAME });
