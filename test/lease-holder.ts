/**
 * A process that starts a run on a database, claims one job, says so on stdout and then waits to be
 * killed: test/leases.test.ts shows what happens to its lease when it is.
 *
 *   node bin/run-ts.js test/lease-holder.ts <db> <stage> <key>
 */
import { Store } from '../pipeline/store/store.ts';
import { Stage } from '../schemas/index.ts';

const [db, stage, key] = process.argv.slice(2);
const store = new Store(db);
const run = store.runs.start({ backend: 'offline', model: 'm', concurrency: 1, cache: true });
process.stdout.write(`${run.id} ${store.jobs.claim(Stage.parse(stage), key, 'h', run.id)}\n`);
setInterval(() => {}, 60_000);
