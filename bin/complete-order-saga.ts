#!/usr/bin/env node
/** The CDK app: `npm run synth`, `npx cdk deploy --all -c env=<name>`. */
import { buildApp } from '../lib/app';

buildApp();
