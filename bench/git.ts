import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { promote } from '../src/core/pipeline.js';
import { runGit } from '../src/gitops/exec.js';
import { openGitStore } from '../src/gitops/git-cli.js';
import { startGitHttp } from '../test/helpers/git-http.js';
import { atLeast, atMost, type BenchResult, type BenchRow, median } from './row.js';

// The git path (issue 10), cold and over file:// as a remote would be, and over http:// to git's own
// smart HTTP server (`git http-backend`) as users reach GitHub: each promotion starts from
// nothing (a new store: no clone, no objects, nothing cached), reads the overlay, commits and pushes. The
// fixtures are written with `git fast-import`; the compared repositories differ only in what the
// row is about (files beside the overlay, or commits behind the head). Runs alternate A B A B and
// the ratio is the median of the pair-by-pair ratios, so a shared machine's drift cancels out.
// Size is measured over file:// only: over a network the read takes every folder with the commit
// (a round trip costs more than the folders), so on loopback http:// it grows a little with the
// repository (measured 1.02x-1.23x for 20,000 vs 100 files), which a real network's latency hides.

const SERVICE = 'checkout';
const OVERLAY = `apps/${SERVICE}/overlays/dev/kustomization.yaml`;
const PAIRS = 5;

async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await runGit(args, { cwd });
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

function overlay(tag: string): string {
  return `resources: []\nimages:\n  - name: ghcr.io/acme/${SERVICE}\n    newTag: "${tag}"\n`;
}

function data(text: string): string[] {
  return [`data ${Buffer.byteLength(text)}`, text];
}

/**
 * A bare repository with the overlay, `files - 1` other files in folders of 100, and `commits`
 * commits (each but the last touching one of the other files): written by one `git fast-import`.
 */
async function fixture(root: string, name: string, files: number, commits: number): Promise<string> {
  const bare = join(root, `${name}.git`);
  await git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  const lines: string[] = ['blob', 'mark :1', ...data('n: 0\n')];
  const when = (i: number) => `committer T <t@example.com> ${1_700_000_000 + i} +0000`;
  for (let i = 1; i < commits; i++) {
    lines.push('commit refs/heads/main', when(i), ...data(`change ${i}\n`));
    if (i === 1)
      for (let f = 0; f < files - 1; f++) lines.push(`M 100644 :1 other/d${Math.floor(f / 100)}/f${f}.yaml`);
    else lines.push(`M 100644 inline other/d0/f${i % Math.max(1, files - 1)}.yaml`, ...data(`n: ${i}\n`));
  }
  lines.push('commit refs/heads/main', when(commits), ...data('add the overlay\n'));
  if (commits === 1)
    for (let f = 0; f < files - 1; f++) lines.push(`M 100644 :1 other/d${Math.floor(f / 100)}/f${f}.yaml`);
  lines.push(`M 100644 inline ${OVERLAY}`, ...data(overlay('1.0.0')));
  const r = await runGit(['fast-import', '--quiet'], { cwd: bare, input: `${lines.join('\n')}\n` });
  if (r.code !== 0) throw new Error(`fast-import: ${r.stderr.trim()}`);
  // Served as GitHub serves: partial clones allowed.
  await git(bare, 'config', 'uploadpack.allowFilter', 'true');
  return bare;
}

function configFor(url: string): Config {
  return parseConfig(
    {
      file: 'bench.yaml',
      text: `version: 1\ngitops: { repository: "${url}" }\nservices:\n  ${SERVICE}: { image: ghcr.io/acme/${SERVICE} }\nenvironments:\n  dev: { path: "apps/{{service}}/overlays/dev" }\n`,
    },
    [],
    {},
  );
}

let round = 0;

/** One cold promotion: fresh clone, read, plan, commit, push. Milliseconds. */
async function rollgatePromotion(bare: string, url = `file://${bare}`): Promise<number> {
  const started = performance.now();
  const store = await openGitStore({ repository: url, branch: 'main' });
  try {
    // What is measured is the wire store: a server it cannot use would make this a clone.
    if ('gitDir' in store) throw new Error(`${url} was read through a clone, not the wire`);
    const outcome = await promote(
      configFor(url),
      {
        environment: 'dev',
        services: [SERVICE],
        version: { tag: `2.0.${++round}` },
        requestedBy: 'bench',
        source: 'bench',
      },
      { store, clock: () => new Date() },
    );
    if (outcome.kind !== 'committed') throw new Error(`promotion ended ${outcome.kind}`);
  } finally {
    await store.close();
  }
  return performance.now() - started;
}

/**
 * The naive way: shallow clone with a checkout, edit the file, commit, push. Milliseconds. Its tags
 * stay below rollgate's, so no rollgate promotion after it is a downgrade.
 */
async function naivePromotion(bare: string, url = `file://${bare}`): Promise<number> {
  const work = await mkdtemp(join(tmpdir(), 'rollgate-bench-naive-'));
  const started = performance.now();
  try {
    await git(work, 'clone', '--quiet', '--depth=1', '--branch', 'main', url, 'w');
    const dir = join(work, 'w');
    const file = join(dir, OVERLAY);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/newTag: "[^"]*"/, `newTag: "1.${++round}.0"`));
    await git(dir, '-c', 'user.name=b', '-c', 'user.email=b@e', 'commit', '--quiet', '-am', 'promote');
    await git(dir, 'push', '--quiet', 'origin', 'HEAD:main');
    return performance.now() - started;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A then B, `PAIRS` times after one warm-up each: medians and the median pair ratio A/B. */
async function pairs(a: () => Promise<number>, b: () => Promise<number>, count = PAIRS) {
  await a();
  await b();
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = await a();
    const y = await b();
    as.push(x);
    bs.push(y);
    ratios.push(x / y);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios), count };
}

async function withFixtures<T>(
  specs: readonly (readonly [string, number, number])[],
  use: (bares: string[]) => Promise<T>,
): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), 'rollgate-bench-git-'));
  try {
    const bares: string[] = [];
    for (const [name, files, commits] of specs) bares.push(await fixture(root, name, files, commits));
    return await use(bares);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * The bare repository served over smart HTTP by git's own server (`git http-backend` behind a
 * loopback HTTP server, as the tests run it), configured as a hosted server is: push over HTTP,
 * partial fetches, objects by id. Gives its http:// URL to `use`.
 */
async function overHttp<T>(
  bare: string,
  use: (url: string, requests: () => number) => Promise<T>,
): Promise<T> {
  await git(bare, 'config', 'http.receivepack', 'true');
  await git(bare, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
  const server = await startGitHttp(dirname(bare));
  try {
    return await use(`${server.url}/${basename(bare)}`, () => server.requests.length);
  } finally {
    await server.close();
  }
}

const ms = (n: number) => `${n.toFixed(0)} ms`;

export const rows: readonly BenchRow[] = [
  {
    target: 'promotion (cold, file://) on a 20,000-file repo <= 1.2x a 100-file repo',
    measure: () =>
      withFixtures(
        [
          ['big', 20_000, 1],
          ['small', 100, 1],
        ],
        async ([big = '', small = '']): Promise<BenchResult> => {
          const r = await pairs(
            () => rollgatePromotion(big),
            () => rollgatePromotion(small),
          );
          return atMost(1.2, r.ratio, `${ms(r.a)} vs ${ms(r.b)}, median of ${PAIRS} pairs`);
        },
      ),
  },
  {
    target:
      'promotion (cold, file://) on a 20,000-file repo >= 10x faster than shallow clone + edit + commit + push',
    measure: () =>
      withFixtures([['big', 20_000, 1]], async ([big = '']): Promise<BenchResult> => {
        const r = await pairs(
          () => naivePromotion(big),
          () => rollgatePromotion(big),
        );
        return atLeast(10, r.ratio, `naive ${ms(r.a)} vs rollgate ${ms(r.b)}, median of ${PAIRS} pairs`);
      }),
  },
  {
    target:
      'promotion (cold, http://, git http-backend on loopback) on a 20,000-file repo >= 10x faster than shallow clone + edit + commit + push over the same URL',
    measure: () =>
      withFixtures([['big', 20_000, 1]], ([big = '']) =>
        overHttp(big, async (url, requests): Promise<BenchResult> => {
          // Each HTTP request meets a new git-http-backend and upload-pack: the count is the cost.
          let made = 0;
          const r = await pairs(
            () => naivePromotion(big, url),
            async () => {
              const before = requests();
              const took = await rollgatePromotion(big, url);
              made = requests() - before;
              return took;
            },
            // The naive side clones and checks out 20,000 files over HTTP: three pairs keep the
            // bench within its time.
            3,
          );
          return atLeast(
            10,
            r.ratio,
            `naive ${ms(r.a)} vs rollgate ${ms(r.b)} (${made} HTTP requests), median of ${r.count} pairs`,
          );
        }),
      ),
  },
  {
    target: 'promotion (cold, file://) after 50,000 commits of unrelated history <= 1.5x after one commit',
    measure: () =>
      withFixtures(
        [
          ['long', 100, 50_000],
          ['short', 100, 1],
        ],
        async ([long = '', short = '']): Promise<BenchResult> => {
          // The first rollgate commit writes what later ones read (state files, trailers): not timed.
          await rollgatePromotion(long);
          await rollgatePromotion(short);
          const r = await pairs(
            () => rollgatePromotion(long),
            () => rollgatePromotion(short),
          );
          return atMost(1.5, r.ratio, `${ms(r.a)} vs ${ms(r.b)}, median of ${PAIRS} pairs`);
        },
      ),
  },
  {
    target: 'promotion (cold, http://) after 50,000 commits of unrelated history <= 1.5x after one commit',
    measure: () =>
      withFixtures(
        [
          ['long', 100, 50_000],
          ['short', 100, 1],
        ],
        ([long = '', short = '']) =>
          overHttp(long, (longUrl) =>
            overHttp(short, async (shortUrl): Promise<BenchResult> => {
              // The first rollgate commit writes what later ones read (state files, trailers): not timed.
              await rollgatePromotion(long, longUrl);
              await rollgatePromotion(short, shortUrl);
              const r = await pairs(
                () => rollgatePromotion(long, longUrl),
                () => rollgatePromotion(short, shortUrl),
              );
              return atMost(1.5, r.ratio, `${ms(r.a)} vs ${ms(r.b)}, median of ${PAIRS} pairs`);
            }),
          ),
      ),
  },
];

// Only this area: npx tsx bench/git.ts
if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  for (const row of rows) {
    const result = await row.measure();
    console.log(
      `${row.target}: ${result.measured}; ratio ${result.ratio.toFixed(2)}x; ${result.met ? 'met' : 'NOT met'}`,
    );
  }
}
