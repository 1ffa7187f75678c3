import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { OfflineModel } from '../pipeline/backends/offline/model.ts';
import type { Exclusion } from '../pipeline/learn/data.ts';
import { hashOf } from '../pipeline/text/hash.ts';

const FOLD_FILE = /^fold-[0-9a-f]+\.json\.gz$/;

/**
 * The models cross-fitting learns, kept beside an eval's databases: learning them is most of an eval's
 * time, and a repeated eval of the same model and gold would learn the same ones again. A fold's model
 * depends only on `inputs` (the model it re-learns, the method, the content of the folders it learns
 * from) and on what it leaves out, so those are its key. Files no fold of this eval used were made for
 * an earlier model or gold, and `prune` removes them.
 */
export class FoldCache {
  private readonly used = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly inputs: unknown,
  ) {}

  private file(exclude: Exclusion): string {
    const key = hashOf([this.inputs, [...exclude.incidents].sort(), [...exclude.articles].sort()]).slice(0, 24);
    const name = `fold-${key}.json.gz`;
    this.used.add(name);
    return join(this.dir, name);
  }

  /** The fold's model as learned before, or null (none kept, or a file that no longer reads as a model). */
  get(exclude: Exclusion): OfflineModel | null {
    const f = this.file(exclude);
    if (!existsSync(f)) return null;
    try {
      const parsed = OfflineModel.safeParse(JSON.parse(gunzipSync(readFileSync(f)).toString('utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  put(exclude: Exclusion, model: OfflineModel): void {
    const f = this.file(exclude);
    mkdirSync(this.dir, { recursive: true });
    // Written aside and renamed, so a killed eval never leaves half a model under a valid name, and two
    // evals into one folder never write the same file.
    const aside = `${f}.${process.pid}.tmp`;
    writeFileSync(aside, gzipSync(JSON.stringify(model)));
    renameSync(aside, f);
  }

  /** Removes fold models this eval did not use, and what killed evals left aside over an hour ago. */
  prune(): void {
    if (!existsSync(this.dir)) return;
    for (const name of readdirSync(this.dir)) {
      const f = join(this.dir, name);
      const stale = FOLD_FILE.test(name) ? !this.used.has(name) : name.endsWith('.tmp') && Date.now() - statSync(f).mtimeMs > 3_600_000;
      if (stale) rmSync(f, { force: true });
    }
  }
}
