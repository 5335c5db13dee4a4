import { MACHINE, otherCpuSeconds } from './cpu';

describe('otherCpuSeconds', () => {
  it('is what the machine used beyond the named processes', () => {
    expect(otherCpuSeconds({ bench: 3, fake: 4, gateway: 10, [MACHINE]: 18 })).toBeCloseTo(1, 10);
  });

  it('is unknown when any figure is', () => {
    expect(otherCpuSeconds({ bench: 3, fake: null, [MACHINE]: 18 })).toBeNull();
    expect(otherCpuSeconds({ bench: 3 })).toBeNull();
    expect(otherCpuSeconds(undefined)).toBeNull();
  });
});
