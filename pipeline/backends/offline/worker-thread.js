// A worker thread's entry: it runs the TypeScript sources through tsx, as bin/failscope.js does for the main thread.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
