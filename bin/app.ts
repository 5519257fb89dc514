#!/usr/bin/env node
/** `cdk synth` / `cdk deploy` entry (see cdk.json: run through tsx, no ts-node). */
import { createApp } from '../lib/app';
import { WtsConfigurationError } from '../lib/config';

try {
  createApp();
} catch (error) {
  if (!(error instanceof WtsConfigurationError)) throw error;
  console.error(error.message);
  process.exit(1);
}
