import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/** `npm run record-histories`: writes test/histories/*.json from real sagas. */
export default defineConfig({ test: { ...base.test, include: ['test/record/*.record.ts'] } });
