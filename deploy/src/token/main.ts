#!/usr/bin/env node
// `npm run token -- --role <role> [...]`: prints a bearer token for the local stack.
import { runTokenCli } from './cli';

runTokenCli(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  process.exitCode = code;
});
