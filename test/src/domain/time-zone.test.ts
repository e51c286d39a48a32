// Instants in IANA time zones: checked against offsets known from the zones' rules, across changes of
// offset, and against Intl's own offset names for many instants in every order.
import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, isTimeZone, isUtc, ZoneOffsets } from '../../../src/domain/time-zone';

describe('time zone names', () => {
  it.each(['UTC', 'Europe/Berlin', 'america/new_york', 'Asia/Kathmandu', 'Etc/GMT+5', 'Asia/Kolkata'])(
    'takes %s',
    (name) => expect(isTimeZone(name)).toBe(true),
  );

  it.each(['', 'Mars/Olympus', '+02:00', 'Europe/Berlin ', '../etc/passwd', 'CEST1', 'x'.repeat(80)])(
    'refuses %j',
    (name) => expect(isTimeZone(name)).toBe(false),
  );

  it('fixes the case of a name, and keeps a current name the runtime calls by an older one', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(isUtc('Etc/UTC')).toBe(true);
    expect(isUtc('Europe/London')).toBe(false);
  });
});

describe('ZoneOffsets', () => {
  it.each([
    ['Europe/Berlin', '2024-01-15T12:00:00.000Z', '2024-01-15T13:00:00.000+01:00'],
    ['Europe/Berlin', '2024-07-15T12:00:00.123Z', '2024-07-15T14:00:00.123+02:00'],
    // The spring change: 01:59:59.999 UTC+1, then 03:00 UTC+2.
    ['Europe/Berlin', '2024-03-31T00:59:59.999Z', '2024-03-31T01:59:59.999+01:00'],
    ['Europe/Berlin', '2024-03-31T01:00:00.000Z', '2024-03-31T03:00:00.000+02:00'],
    // The autumn change: 02:59:59.999 UTC+2, then 02:00 UTC+1 again.
    ['Europe/Berlin', '2024-10-27T00:59:59.999Z', '2024-10-27T02:59:59.999+02:00'],
    ['Europe/Berlin', '2024-10-27T01:00:00.000Z', '2024-10-27T02:00:00.000+01:00'],
    ['America/New_York', '2024-03-01T04:59:59.000Z', '2024-02-29T23:59:59.000-05:00'],
    ['Asia/Kathmandu', '2024-03-01T00:00:00.000Z', '2024-03-01T05:45:00.000+05:45'],
    ['America/St_Johns', '2024-07-01T00:00:00.000Z', '2024-06-30T21:30:00.000-02:30'],
    ['UTC', '2024-03-01T12:34:56.789Z', '2024-03-01T12:34:56.789+00:00'],
  ])('%s: %s is %s', (zone, utc, expected) => {
    expect(new ZoneOffsets(zone).iso(new Date(utc))).toBe(expected);
  });

  it('gives the wall clock as a Date whose UTC fields are the local time', () => {
    const wall = new ZoneOffsets('America/Los_Angeles').wallClock(new Date('2024-07-04T19:30:00.000Z'));
    expect(wall.toISOString()).toBe('2024-07-04T12:30:00.000Z');
  });

  it('agrees with Intl at many instants, in and out of order, across years of changes', () => {
    const zones = ['Europe/London', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Africa/Casablanca'];
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    for (const zone of zones) {
      const offsets = new ZoneOffsets(zone);
      const names = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
      for (let i = 0; i < 2_000; i++) {
        const ms = Date.UTC(2015, 0, 1) + (next() % (10 * 365 * 86_400_000)) + (i % 2 ? 0 : next() % 1000);
        const name = names.formatToParts(ms).find((part) => part.type === 'timeZoneName')?.value ?? '';
        const offset = name === 'GMT' ? '+00:00' : name.replace('GMT', '');
        expect(offsets.iso(new Date(ms)).slice(-6), `${zone} at ${new Date(ms).toISOString()}`).toBe(offset);
      }
    }
  });
});
