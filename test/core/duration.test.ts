import { describe, expect, it } from 'vitest';
import { formatDuration, formatPromDuration, parseDuration, parsePercent } from '../../src/core/duration.js';

describe('durations for Prometheus', () => {
  it.each([
    ['30d', '30d'],
    ['720h', '30d'],
    ['0.5h', '30m'],
    ['90m', '1h30m'],
    ['1w', '7d'],
    ['1500ms', '1s500ms'],
    ['5m', '5m'],
  ])('%s is written %s', (text, expected) => {
    expect(formatPromDuration(parseDuration(text) ?? NaN)).toBe(expected);
  });

  it.each(['-1h', '1 h', 'h', '', '1y'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('percentages', () => {
  it.each([
    ['25%', 0.25],
    [25, 0.25],
    ['99.9%', 0.999],
    [99.95, 0.9995],
    ['0%', 0],
  ] as const)('%j is %d', (value, expected) => {
    expect(parsePercent(value)).toBeCloseTo(expected, 15);
  });

  it.each(['25', '25 %', '-5%', 'a%'])('%j is not a percentage', (value) => {
    expect(parsePercent(value)).toBeUndefined();
  });
});

describe('durations for people (issue 11 item 18: "18s of 1h: 1h left")', () => {
  it.each([
    [18_000, '18s'],
    [3_600_000 - 18_000, '59m 42s'],
    [3_600_000, '1h'],
    [3_630_000, '1h'],
    [50 * 60_000, '50m'],
    [86_400_000 - 18_000, '23h 59m'],
    [26 * 3_600_000 + 5 * 60_000, '1d 2h'],
    [500, '1s'],
    [0, '0s'],
    [-5_000, '0s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('never rounds the time left up past the whole', () => {
    for (const baked of [1_000, 18_000, 59_999, 61_000, 1_800_001, 3_599_000]) {
      const left = 3_600_000 - baked;
      expect(parseDuration(formatDuration(left).replace(' ', '')) ?? Infinity).toBeLessThanOrEqual(left);
    }
  });
});
