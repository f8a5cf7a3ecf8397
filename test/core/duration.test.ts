import { describe, expect, it } from 'vitest';
import { formatPromDuration, parseDuration, parsePercent } from '../../src/core/duration.js';

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
