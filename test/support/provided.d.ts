import 'vitest';

declare module 'vitest' {
  /** Values test/support/global-setup.ts provides to every test file. */
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    workflowBundlePath: string;
  }
}
