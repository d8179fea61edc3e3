#!/usr/bin/env node
// `npx xinfang <command>`: the project's command line, run from its TypeScript sources.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
