// The lease keeper on virtual time: one beat per interval, an early beat on wake, a stop from a beat or
// from outside, and a failed beat that does not end the beating.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LeaseKeeper } from '../../../../src/services/export/lease-keeper';
import { useFakeTimers } from '../../../support/fake-time';

const INTERVAL = 100;

beforeEach(() => {
  useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A keeper whose beats are recorded as virtual milliseconds since the keeper was made. */
function keeper(beat: () => Promise<'continue' | 'stop'> = () => Promise.resolve('continue')) {
  const beats: number[] = [];
  const errors: unknown[] = [];
  const made = Date.now();
  const keeperUnderTest = new LeaseKeeper({
    intervalMs: INTERVAL,
    beat: () => {
      beats.push(Date.now() - made);
      return beat();
    },
    onError: (error) => errors.push(error),
  });
  return { keeper: keeperUnderTest, beats, errors, advance: (ms: number) => vi.advanceTimersByTimeAsync(ms) };
}

describe('lease keeper', () => {
  it('beats once per interval from start until stop, and never before start', async () => {
    const k = keeper();
    await k.advance(350);
    expect(k.beats).toEqual([]);
    k.keeper.start();
    k.keeper.start(); // a second start does not start a second loop
    await k.advance(450);
    expect(k.beats).toEqual([450, 550, 650, 750]);
    await k.keeper.stop();
    await k.advance(500);
    expect(k.beats).toHaveLength(4);
  });

  it('beats at once on wake, and the next interval runs from that beat', async () => {
    const k = keeper();
    k.keeper.start();
    await k.advance(30);
    k.keeper.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(k.beats).toEqual([30]);
    await k.advance(110);
    expect(k.beats).toEqual([30, 130]);
    await k.keeper.stop();
  });

  it('ends the beating when a beat says stop', async () => {
    let n = 0;
    const k = keeper(() => Promise.resolve(++n === 2 ? 'stop' : 'continue'));
    k.keeper.start();
    await k.advance(1_000);
    expect(k.beats).toEqual([100, 200]);
    await k.keeper.stop(); // stopping a keeper that stopped itself is fine
  });

  it('reports a failed beat and beats again at the next interval', async () => {
    let n = 0;
    const k = keeper(() =>
      ++n === 1 ? Promise.reject(new Error('store down')) : Promise.resolve('continue'),
    );
    k.keeper.start();
    await k.advance(300);
    expect(k.beats).toEqual([100, 200, 300]);
    expect(k.errors).toEqual([new Error('store down')]);
    await k.keeper.stop();
  });

  it('stop waits for a beat in flight and no beat follows it', async () => {
    let release: (() => void) | undefined;
    const k = keeper(
      () =>
        new Promise((resolve) => {
          release = () => resolve('continue');
        }),
    );
    k.keeper.start();
    await k.advance(100);
    expect(k.beats).toEqual([100]);
    let stopped = false;
    const stopping = k.keeper.stop().then(() => {
      stopped = true;
    });
    await k.advance(50);
    expect(stopped).toBe(false);
    release?.();
    await stopping;
    expect(stopped).toBe(true);
    await k.advance(500);
    expect(k.beats).toEqual([100]);
  });
});
