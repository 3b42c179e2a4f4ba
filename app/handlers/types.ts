import type { RequestOf, ResponseOf, ServiceMethod } from '../../contract/api.js';
import type { Served } from '../../contract/files.js';

/** The service side of every non-host method: results carry FileRef where the renderer gets FileUrl. */
export type ServiceHandlers = { [M in ServiceMethod]: (request: RequestOf<M>) => Promise<Served<ResponseOf<M>>> };

export type HandlerGroup<K extends ServiceMethod> = Pick<ServiceHandlers, K>;
