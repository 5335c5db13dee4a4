import { retryAfterSeconds } from './retry-after';

const NOW = Date.parse('2025-01-14T11:14:42Z');

describe('retryAfterSeconds', () => {
  describe('retry-after in seconds', () => {
    it.each([
      ['7', 7],
      ['120', 120],
      [' 30 ', 30],
      ['1.5', 2],
      ['0.2', 1],
    ])('reads %j as %i s', (value, seconds) => {
      expect(retryAfterSeconds({ 'retry-after': value }, NOW)).toBe(seconds);
    });

    it('never asks for less than 1 s, so "0" still means "wait a moment"', () => {
      expect(retryAfterSeconds({ 'retry-after': '0' }, NOW)).toBe(1);
    });
  });

  describe('retry-after as an HTTP date', () => {
    it('reads an IMF-fixdate relative to now', () => {
      expect(retryAfterSeconds({ 'retry-after': 'Tue, 14 Jan 2025 11:15:12 GMT' }, NOW)).toBe(30);
    });

    it('rounds a part second up', () => {
      expect(retryAfterSeconds({ 'retry-after': 'Tue, 14 Jan 2025 11:14:43 GMT' }, NOW - 500)).toBe(2);
    });

    it('reads the obsolete RFC 850 and asctime forms', () => {
      expect(retryAfterSeconds({ 'retry-after': 'Tuesday, 14-Jan-25 11:15:42 GMT' }, NOW)).toBe(60);
      expect(retryAfterSeconds({ 'retry-after': 'Tue Jan 14 11:16:42 2025' }, Date.parse('2025-01-14T11:14:42'))).toBe(120);
    });

    it('asks for 1 s when the date has already passed', () => {
      expect(retryAfterSeconds({ 'retry-after': 'Tue, 14 Jan 2025 10:00:00 GMT' }, NOW)).toBe(1);
    });
  });

  describe('retry-after-ms (OpenAI, Azure)', () => {
    it('is converted to whole seconds, rounded up', () => {
      expect(retryAfterSeconds({ 'retry-after-ms': '6000' }, NOW)).toBe(6);
      expect(retryAfterSeconds({ 'retry-after-ms': '262' }, NOW)).toBe(1);
      expect(retryAfterSeconds({ 'retry-after-ms': '1500.5' }, NOW)).toBe(2);
    });

    it('wins over retry-after, being more precise', () => {
      expect(retryAfterSeconds({ 'retry-after-ms': '2500', 'retry-after': '60' }, NOW)).toBe(3);
    });

    it('falls back to retry-after when it is unreadable', () => {
      expect(retryAfterSeconds({ 'retry-after-ms': 'soon', 'retry-after': '9' }, NOW)).toBe(9);
      expect(retryAfterSeconds({ 'retry-after-ms': '', 'retry-after': '9' }, NOW)).toBe(9);
    });
  });

  describe('garbage', () => {
    it('is undefined without either header', () => {
      expect(retryAfterSeconds({}, NOW)).toBeUndefined();
      expect(retryAfterSeconds({ 'content-type': 'application/json' }, NOW)).toBeUndefined();
    });

    it.each(['', '   ', 'soon', 'later please', '-5', '-1.5', 'foo 1', 'abc 12', '1e3', '0x10', 'Infinity', 'NaN', '5s', '10 seconds'])(
      'is undefined for retry-after %j',
      (value) => {
        expect(retryAfterSeconds({ 'retry-after': value }, NOW)).toBeUndefined();
      },
    );

    it.each(['-1000', 'abc', '1e4', 'Infinity'])('ignores retry-after-ms %j', (value) => {
      expect(retryAfterSeconds({ 'retry-after-ms': value }, NOW)).toBeUndefined();
    });
  });

  describe('caps', () => {
    it('caps a long wait at one hour', () => {
      // Azure says "Please retry after 86400 seconds" when a daily quota is used up.
      expect(retryAfterSeconds({ 'retry-after': '86400' }, NOW)).toBe(3600);
      expect(retryAfterSeconds({ 'retry-after-ms': '86400000' }, NOW)).toBe(3600);
      expect(retryAfterSeconds({ 'retry-after': 'Wed, 15 Jan 2025 11:14:42 GMT' }, NOW)).toBe(3600);
      expect(retryAfterSeconds({ 'retry-after': '99999999999999999999999' }, NOW)).toBe(3600);
    });

    it('keeps a wait of exactly one hour', () => {
      expect(retryAfterSeconds({ 'retry-after': '3600' }, NOW)).toBe(3600);
      expect(retryAfterSeconds({ 'retry-after': '3599' }, NOW)).toBe(3599);
    });
  });

  it('measures an HTTP date against the real clock by default', () => {
    const inOneMinute = new Date(Date.now() + 60_000).toUTCString();
    const seconds = retryAfterSeconds({ 'retry-after': inOneMinute });
    expect(seconds).toBeGreaterThanOrEqual(59);
    expect(seconds).toBeLessThanOrEqual(60);
  });
});
