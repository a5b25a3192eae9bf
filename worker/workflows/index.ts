/** Every workflow this worker registers; the bundle's entry point. */
export { ReleaseClaimWorkflow } from './claim';
export { CompleteOrderWorkflow } from './complete-order';
export { decideUpdate, progressQuery } from './messages';
