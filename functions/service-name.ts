/**
 * The API's service name in its logs (Powertools `service`): the logger sets it and the CDK
 * app passes it to every API function as POWERTOOLS_SERVICE_NAME, so saved log queries
 * find every line under one name.
 */
export const API_SERVICE_NAME = 'complete-order-api';
