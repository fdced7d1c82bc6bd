import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { run } from './ipn';

/** `npm run ipn:send -- …`: the alias of `npm run ipn -- send …`, kept for existing habits and scripts. */
if (existsSync('.env')) process.loadEnvFile('.env');
void run(['send', ...process.argv.slice(2)]).then((code) => process.exit(code));
