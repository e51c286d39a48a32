import { describe, expect, it } from 'vitest';
import { TooManyConflictsError } from '../../../src/domain/errors';
import { CONFLICT, retryOnConflict } from '../../../src/services/retry-on-conflict';

describe('retryOnConflict', () => {
  it('answers what the first try that did not conflict answered', async () => {
    let tries = 0;
    const answer = await retryOnConflict('report r1', () =>
      Promise.resolve(++tries < 3 ? CONFLICT : `written on try ${tries}`),
    );
    expect(answer).toBe('written on try 3');
    expect(tries).toBe(3);
  });

  it('gives up after five tries with an error that names what kept conflicting', async () => {
    let tries = 0;
    const failed = retryOnConflict('report r1 claim', () => {
      tries++;
      return Promise.resolve(CONFLICT);
    });
    await expect(failed).rejects.toBeInstanceOf(TooManyConflictsError);
    await expect(failed).rejects.toThrow('report r1 claim: too many concurrent changes');
    expect(tries).toBe(5);
  });

  it('passes a step’s own error through at once', async () => {
    let tries = 0;
    const boom = new Error('database down');
    await expect(
      retryOnConflict('report r1', () => {
        tries++;
        return Promise.reject(boom);
      }),
    ).rejects.toBe(boom);
    expect(tries).toBe(1);
  });
});
