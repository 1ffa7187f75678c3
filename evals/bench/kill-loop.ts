/**
 * SIGKILLs a `failscope run` at random moments while it works, starting the same command again after
 * each kill, until the run finishes: the kill lands a random 0–`spreadMs` (default 400) ms after the
 * restarted run has finished its first job, so each one interrupts real work (no handler runs, nothing is
 * flushed); a wider spread lets kills reach the later stages of a long run.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { type ChildResult, failscope } from './child.ts';

function doneJobs(db: string): number {
  if (!existsSync(db)) return 0;
  try {
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (d.prepare("SELECT COUNT(*) n FROM jobs WHERE state = 'done'").get() as { n: number }).n;
    } finally {
      d.close();
    }
  } catch {
    return 0; // not created yet, or mid-migration
  }
}

export interface KillLoop {
  kills: number;
  restarts: number;
  final: ChildResult;
}

export async function killAndResume(
  args: string[],
  db: string,
  kills: number,
  random: () => number,
  env?: Record<string, string>,
  spreadMs = 400,
): Promise<KillLoop> {
  let done = 0;
  for (let restarts = 0; ; restarts++) {
    const before = doneJobs(db);
    const r = await failscope(args, {
      env,
      onSpawn: (child) => {
        if (done >= kills) return;
        const delay = random() * spreadMs;
        const poll = setInterval(() => {
          if (doneJobs(db) <= before) return;
          clearInterval(poll);
          setTimeout(() => child.kill('SIGKILL'), delay);
        }, 20);
        child.on('close', () => clearInterval(poll));
      },
    });
    if (r.signal === 'SIGKILL') {
      done++;
      continue;
    }
    return { kills: done, restarts, final: r };
  }
}
