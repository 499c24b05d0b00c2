#!/usr/bin/env node
'use strict';
// `npm run prisma:generate`: regenerate the Prisma client now, offline (see scripts/setup.js).
const { ensurePrismaClient, SetupError } = require('./setup');

try {
  ensurePrismaClient({ force: true });
} catch (err) {
  console.error(`prisma-generate: FAILED: ${err instanceof SetupError ? err.message : err.stack || err}`);
  process.exit(1);
}
