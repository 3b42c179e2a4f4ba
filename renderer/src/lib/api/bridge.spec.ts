import { describe, expect, it } from 'vitest';
import { ApiError, METHODS, type ChronofaceBridge } from '../../../../contract/api.js';
import { createBridgeApi } from './bridge.js';

describe('Electron bridge client', () => {
  it('unwraps envelopes into values and ApiErrors with their code', async () => {
    const bridge: Record<string, unknown> = { onEvent: () => () => {}, pathForFile: () => null };
    for (const m of METHODS) bridge[m] = async () => ({ ok: false, error: { code: 'unsupported', message: `${m} is not here` } });
    bridge.appInfo = async () => ({ ok: true, result: { version: '1.2.3' } });
    const api = createBridgeApi(bridge as unknown as ChronofaceBridge);
    expect((await api.appInfo({})).version).toBe('1.2.3');
    const err = await api.pickFolder({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'unsupported', message: 'pickFolder is not here' });
  });
});
