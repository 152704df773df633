// node:http, loaded with require instead of an ESM import. On Node >= 22 building the ESM namespace of
// node:http runs its lazy WebSocket, CloseEvent and MessageEvent getters, which load undici's
// WebSocket: `import 'node:http'` peaks at 59.6 MiB on Node 24.21 against 47.5 MiB through require
// (Node 20: 44 MiB either way). Every command that talks to a registry or a browser paid it. Types
// still come from `import type ... from 'node:http'`.
import { lazyModule } from './lazy-module.js';

/** The node:http module (the object `import http from 'node:http'` gives, without its cost), on first use. */
export const http = lazyModule<typeof import('node:http')>('node:http');
