import { Command } from 'commander';
import { type CommonOptions, EXIT, openExisting, requireOut, withCommon } from './common.ts';
import { type ReviewServer, startReviewServer } from '../review/server.ts';
import { isLoopback } from '../review/security.ts';
import { exportGold } from '../review/export.ts';
import { integer } from './numbers.ts';

export const DEFAULT_REVIEW_PORT = 4780;

function exportSub(): Command {
  return withCommon(new Command('export'))
    .description('write reviewed decisions as gold records (incidents.jsonl, articles.jsonl) that `failscope eval --gold <dir>` reads')
    .requiredOption('--out <dir>', 'output directory')
    .option('--include-unreviewed', "fill dimensions and facts nobody reviewed with the model's answer (default: left out, so not scored)")
    .action(async (_: unknown, cmd: Command) => {
      // `review` takes the common options too and commander hands them to it, wherever they stand.
      const opts = cmd.optsWithGlobals<CommonOptions & { out: string; includeUnreviewed?: boolean }>();
      requireOut(opts.out, 'directory');
      const s = openExisting(opts);
      try {
        const r = exportGold(s.store, opts.out, { includeUnreviewed: opts.includeUnreviewed });
        for (const o of r.orphaned)
          process.stderr.write(
            `not exported: ${o.decisions} decision(s) on incident "${o.incidentId}", which is no longer in the store (regrouped); they stay in the database\n`,
          );
        if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else {
          process.stdout.write(
            `wrote ${r.incidents} gold incident(s) (${r.reviewedLabels} reviewed label(s), ${r.reviewedFacts} reviewed fact(s)) and ${r.articles} article(s) to ${r.dir}\n`,
          );
          process.stdout.write(
            r.incidents
              ? `score a run against them: failscope eval --gold ${r.dir}\n`
              : 'nothing reviewed yet: open the review page with `failscope review`\n',
          );
        }
        process.exitCode = r.orphaned.length ? EXIT.partial : EXIT.ok;
      } finally {
        await s.close();
      }
    });
}

export function reviewCommand(): Command {
  const cmd = withCommon(new Command('review'))
    .description('a local review page: triage uncertain labels and facts next to their cited spans, browse incidents, record corrections')
    .option('--port <n>', 'port to listen on (0 picks a free one)', integer(0, 65535), DEFAULT_REVIEW_PORT)
    .option('--host <address>', 'interface to bind; keep the default unless you mean to share the page', '127.0.0.1')
    .option(
      '--allowed-host <name>',
      'a host name (or name:port) the page may be reached by; repeatable, and required with a --host that is not loopback',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--reviewer <name>', 'the reviewer name the page starts with (the page remembers yours)')
    .action(async (opts: CommonOptions & { port: number; host: string; allowedHost: string[]; reviewer?: string }) => {
      const s = openExisting(opts);
      let srv: ReviewServer;
      try {
        srv = await startReviewServer({
          store: s.store,
          host: opts.host,
          port: opts.port,
          allowedHosts: opts.allowedHost,
          reviewer: opts.reviewer ?? null,
          log: (l) => process.stderr.write(`${l}\n`),
        });
      } catch (e) {
        await s.close();
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw new Error(`port ${opts.port} on ${opts.host} is in use: pass another with --port (0 picks a free one)`);
        throw e;
      }
      if (!isLoopback(opts.host)) {
        process.stderr.write(
          `warning: listening on ${opts.host}: anyone who can reach this machine can read the records (writes still need the page's token)\n`,
        );
      }
      const c = s.store.counts();
      process.stdout.write(`review page: ${srv.url}\n`);
      process.stderr.write(`answers to Host: ${srv.hosts.join(', ')}\n`);
      process.stderr.write(
        `${c.incidents} incident(s), ${c.labels} label(s), ${c.facts} fact(s) · ${s.store.review.list().length} decision(s) so far · Ctrl+C to stop\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await srv.close();
      await s.close();
    });
  cmd.addCommand(exportSub());
  return cmd;
}
