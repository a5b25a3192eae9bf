/** Every workflow this worker registers; the bundle's entry point. */
export { CompleteOrderWorkflow, progressQuery } from './complete-order';
