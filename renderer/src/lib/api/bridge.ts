import { METHODS, unwrap, type ChronofaceApi, type ChronofaceBridge, type MethodName } from '../../../../contract/api.js';

/** The Electron transport: the preload bridge answers with envelopes; unwrap them into values or ApiErrors. */
export function createBridgeApi(bridge: ChronofaceBridge): ChronofaceApi {
  const api: Record<string, unknown> = {
    onEvent: (listener: Parameters<ChronofaceApi['onEvent']>[0]) => bridge.onEvent(listener),
  };
  for (const m of METHODS) {
    const call = bridge[m] as (request: unknown) => Promise<Parameters<typeof unwrap<MethodName>>[0]>;
    api[m] = async (request: unknown) => unwrap(await call(request));
  }
  return api as ChronofaceApi;
}
