/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryReport } from '../../src/report/delivery.js';
import { distribution, isoWeek } from '../../src/report/delivery.js';
import { git, tempDir } from '../helpers/repo.js';
import { launchChromium } from './chromium.js';
import { buildHistory, cli } from './delivery-history.js';

/** Where the screenshot of the HTML report is kept (git-ignored; CI can upload it). */
const SCREENSHOTS = resolve('.tmp', 'screenshots');

// The delivery report's figures on a history with known answers (delivery-history.ts), read back
// from a real git repository through the CLI. Hand-worked answers, window 2026-11-22 .. 2026-12-20:
// staging: deployments 1.5.0 (lead 2h), 1.6.0 (24h), 1.6.1 (no source time), 1.7.0 (1h); 1.4.1 is
//   before the window. One rollback at 11-25 12:00, restored by 1.6.1 at 11-26 12:00 (24h). CFR 1/4.
// production: 1.5.0 promoted 11-24 10:31 (lead from 11-23 08:00 = 26h31m), 1.7.0 promoted
//   12-02 10:31 (lead 1h31m); 1.6.1 aborted 12-01 10:10, restored by 1.7.0's verify at 12-02 11:32
//   (25h22m). CFR 1/2.

const H = 3600;

describe('rollgate report', () => {
  let root = '';
  let cleanup = async () => {};
  let bare = '';
  let config = '';
  let report: DeliveryReport;
  const common = () => [
    '--config',
    config,
    '--gitops',
    bare,
    '--at',
    '2026-12-20T00:00:00Z',
    '--since',
    '28d',
  ];

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir());
    ({ bare, config } = await buildHistory(root));
    const json = await cli(['report', '--json', ...common()]);
    expect(json.code, json.stderr).toBe(0);
    report = JSON.parse(json.stdout) as DeliveryReport;
  }, 120_000);
  afterAll(() => cleanup());

  it('records Rollgate-Source-Time at promotion, on the start commit of a rollout too', async () => {
    const log = await git(
      bare,
      'log',
      '--format=%s%x09%(trailers:key=Rollgate-Source-Time,valueonly,separator=)',
      'main',
    );
    expect(log).toContain(
      'start rollout of checkout 1.7.0 in production: step 1/1, weight 50%\t2026-12-02T09:00:00.000Z',
    );
    expect(log).toContain('promote checkout 1.5.0 to staging\t2026-11-23T08:00:00.000Z');
    expect(log).toMatch(/promote checkout 1\.6\.1 to staging\t\n/);
  });

  it('counts deployments, lead time, failures and time to restore per environment and service', () => {
    expect(report).toMatchObject({
      schema_version: 1,
      from: '2026-11-22T00:00:00.000Z',
      to: '2026-12-20T00:00:00.000Z',
      days: 28,
    });
    expect(report.environments.map((e) => e.environment)).toEqual(['production', 'staging']);
    const [production, staging] = report.environments;

    expect(staging?.services.map((s) => s.service)).toEqual(['checkout']);
    expect(staging?.services[0]?.deploymentList.map((d) => [d.version, d.leadTime])).toEqual([
      ['1.5.0', 2 * H],
      ['1.6.0', 24 * H],
      ['1.6.1', undefined],
      ['1.7.0', 1 * H],
    ]);
    expect(staging).toMatchObject({
      deployments: 4,
      perDay: 4 / 28,
      perWeek: 1,
      withoutSourceTime: 1,
      leadTime: { count: 3, median: 2 * H, p90: 24 * H, max: 24 * H },
      failures: 1,
      changeFailureRate: 0.25,
      timeToRestore: { count: 1, median: 24 * H },
      unrestored: 0,
    });
    expect(staging?.services[0]?.failureList).toEqual([
      {
        sha: expect.any(String),
        at: '2026-11-25T12:00:00.000Z',
        version: '1.6.0',
        kind: 'rollback',
        restoredAt: '2026-11-26T12:00:00.000Z',
        timeToRestore: 24 * H,
      },
    ]);

    expect(production?.services[0]?.deploymentList.map((d) => [d.version, d.kind, d.at, d.leadTime])).toEqual(
      [
        ['1.5.0', 'rollout', '2026-11-24T10:31:00.000Z', 26 * H + 31 * 60],
        ['1.7.0', 'rollout', '2026-12-02T10:31:00.000Z', H + 31 * 60],
      ],
    );
    expect(production).toMatchObject({
      deployments: 2,
      withoutSourceTime: 0,
      leadTime: { count: 2, median: H + 31 * 60, p90: 26 * H + 31 * 60 },
      failures: 1,
      changeFailureRate: 0.5,
      timeToRestore: { count: 1, median: 25 * H + 22 * 60 },
    });
    expect(production?.services[0]?.failureList[0]).toMatchObject({
      version: '1.6.1',
      kind: 'aborted',
      at: '2026-12-01T10:10:00.000Z',
    });

    // Weeks: ISO weeks from the one holding the window's start.
    expect(staging?.weeks.map((w) => [w.week, w.start, w.deployments, w.failures, w.leadTimeMedian])).toEqual(
      [
        ['2026-W47', '2026-11-16', 0, 0, undefined],
        ['2026-W48', '2026-11-23', 3, 1, 2 * H], // nearest rank of [2h, 24h]
        ['2026-W49', '2026-11-30', 0, 0, undefined],
        ['2026-W50', '2026-12-07', 1, 0, H],
        ['2026-W51', '2026-12-14', 0, 0, undefined],
      ],
    );
    expect(production?.weeks.map((w) => [w.deployments, w.failures])).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 0],
      [0, 0],
    ]);
  });

  it('--environment narrows it; a shorter --since drops what lies before', async () => {
    const only = await cli(['report', '--json', ...common(), '--environment', 'staging', '--since', '14d']);
    const narrowed = JSON.parse(only.stdout) as DeliveryReport;
    expect(narrowed.environments.map((e) => [e.environment, e.deployments, e.failures])).toEqual([
      ['staging', 1, 0],
    ]);
    const typo = await cli(['report', ...common(), '--environment', 'prod']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      '--environment "prod" names no environment; environments: staging, production',
    );
    const bad = await cli(['report', ...common(), '--since', 'ninety days']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since "ninety days" is not a duration');
  });

  it('text and Markdown (mermaid charts) say the same figures', async () => {
    const text = await cli(['report', ...common()]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /staging\s+checkout\s+4\s+0\.14\s+1\.0\s+2h \(p90 1d\)\s+1\s+1\s+25\.0%\s+1d \(p90 1d\)/,
    );
    expect(text.stdout).toMatch(
      /production\s+checkout\s+2\s+0\.07\s+0\.50\s+1h 31m \(p90 1d 2h\)\s+0\s+1\s+50\.0%\s+1d 1h \(p90 1d 1h\)/,
    );
    const md = await cli(['report', '--markdown', ...common()]);
    expect(md.stdout).toContain('### staging');
    expect(md.stdout).toContain('| checkout | 4 | 0.14 | 1.0 | 2h (p90 1d) | 1 | 1 | 25.0% | 1d (p90 1d) |');
    expect(md.stdout).toContain(
      '```mermaid\nxychart-beta\n  title "staging: deployments (bars) and failures (line) per week"\n  x-axis ["W47", "W48", "W49", "W50", "W51"]\n  y-axis "count" 0 --> 3\n  bar [0, 3, 0, 1, 0]\n  line [0, 1, 0, 0, 0]\n```',
    );
    expect(md.stdout).toContain('1 deployment(s) have no `Rollgate-Source-Time`');
  });

  it('--html writes one page', async () => {
    const file = join(root, 'report.html');
    const html = await cli(['report', '--html', file, ...common()]);
    expect(html.code, html.stderr).toBe(0);
    const page = await readFile(file, 'utf8');
    expect(page.match(/<svg /g)).toHaveLength(4);
    expect(page).not.toMatch(/<script|<link|@import|url\(|src=/i);

    // Open it in a real headless Chromium: what renders, and nothing fetched from anywhere.
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      await tab.setViewport({ width: 1100, height: 900 });
      const requests: string[] = [];
      const failed: string[] = [];
      const errors: string[] = [];
      tab.on('request', (r) => requests.push(r.url()));
      tab.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText ?? ''}`));
      tab.on('pageerror', (e) => errors.push(String(e)));
      tab.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      const url = pathToFileURL(file).href;
      const response = await tab.goto(url, { waitUntil: 'load' });
      expect(response?.ok()).toBe(true);
      expect(requests).toEqual([url]);
      expect(failed).toEqual([]);
      expect(errors).toEqual([]);
      const seen = await tab.evaluate(() => ({
        title: document.title,
        sections: [...document.querySelectorAll('section.environment')].map((s) =>
          s.getAttribute('data-environment'),
        ),
        charts: [...document.querySelectorAll('svg.chart')].map((svg) => {
          const box = svg.getBoundingClientRect();
          return {
            id: svg.id,
            width: Math.round(box.width),
            height: Math.round(box.height),
            bars: svg.querySelectorAll('rect.bar').length,
          };
        }),
        deployBars: [
          ...document.querySelectorAll('#chart-deployments-1 rect.bar[data-series="deployments"]'),
        ].map((r) => Math.round(r.getBoundingClientRect().height)),
        cards: [...document.querySelectorAll('.card')].map((c) =>
          (c as HTMLElement).innerText.replace(/\s+/g, ' '),
        ),
        text: document.body.innerText,
      }));
      expect(seen.title).toBe('rollgate delivery report 2026-11-22 to 2026-12-20');
      expect(seen.sections).toEqual(['production', 'staging']);
      // Two charts per environment, each laid out at full size, five weeks of bars per series.
      expect(seen.charts).toEqual([
        { id: 'chart-deployments-0', width: 720, height: 240, bars: 10 },
        { id: 'chart-lead-time-0', width: 720, height: 240, bars: 5 },
        { id: 'chart-deployments-1', width: 720, height: 240, bars: 10 },
        { id: 'chart-lead-time-1', width: 720, height: 240, bars: 5 },
      ]);
      // staging's weeks 0, 3, 0, 1, 0: the W48 bar is three times the W50 bar.
      const [w47, w48, w49, w50, w51] = seen.deployBars;
      expect([w47, w49, w51]).toEqual([0, 0, 0]);
      expect(w48).toBeGreaterThan(100);
      expect(Math.abs((w48 ?? 0) - 3 * (w50 ?? 0))).toBeLessThanOrEqual(2);
      expect(seen.cards).toContain('25.0% change failure rate');
      expect(seen.cards).toContain('50.0% change failure rate');
      expect(seen.cards).toContain('1h 31m (p90 1d 2h) lead time median (p90)');
      expect(seen.text).toContain('1 deployment(s) have no Rollgate-Source-Time');
      expect(seen.text).toContain('checkout 1.6.1 aborted at 2026-12-01 10:10, restored after 1d 1h');
      await mkdir(SCREENSHOTS, { recursive: true });
      const shot = join(SCREENSHOTS, 'delivery-report.png');
      await tab.screenshot({ path: shot, fullPage: true });
      expect((await stat(shot)).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe('delivery figures: the pieces', () => {
  it('nearest-rank percentiles', () => {
    expect(distribution([5, 1, 3, 2, 4])).toEqual({ count: 5, median: 3, p75: 4, p90: 5, p95: 5, max: 5 });
    expect(distribution([])).toEqual({
      count: 0,
      median: undefined,
      p75: undefined,
      p90: undefined,
      p95: undefined,
      max: undefined,
    });
  });
  it('ISO weeks across a year end', () => {
    expect(isoWeek(Date.parse('2026-12-31T12:00:00Z')).week).toBe('2026-W53');
    expect(isoWeek(Date.parse('2027-01-04T00:00:00Z')).week).toBe('2027-W01');
    expect(isoWeek(Date.parse('2021-01-03T00:00:00Z')).week).toBe('2020-W53');
  });
});
