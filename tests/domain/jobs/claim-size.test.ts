import { describe, expect, it } from 'vitest';
import { FAST_ITEM_MS, MAX_CLAIM, nextClaimSize } from '../../../server/domain/jobs/claim-size.js';

describe('nextClaimSize', () => {
  it('doubles while items are fast, up to the ceiling', () => {
    const sizes: number[] = [];
    let n = 1;
    for (let i = 0; i < 8; i++) sizes.push((n = nextClaimSize(n, 0)));
    expect(sizes).toEqual([2, 4, 8, 16, 16, 16, 16, 16]);
    expect(Math.max(...sizes)).toBe(MAX_CLAIM);
  });

  it('drops to one after a slow item', () => {
    expect(nextClaimSize(16, FAST_ITEM_MS)).toBe(1);
    expect(nextClaimSize(4, 2_000)).toBe(1);
    expect(nextClaimSize(1, FAST_ITEM_MS - 1)).toBe(2);
  });

  it('treats a nonsense previous size as one', () => {
    expect(nextClaimSize(0, 0)).toBe(2);
    expect(nextClaimSize(-3, 0)).toBe(2);
  });
});
