// The pipeline worker's built-in handlers: every node type not run by workflow code (core/node-types.ts).

import { NodeType } from '../../core/model';
import { HandlerRegistry } from '../handler-registry';
import { createCodergenHandler, type CodergenBackends } from './codergen';
import { createFanInHandler } from './fan-in';
import { defaultBackends } from './codergen';
import { toolHandler } from './tool';

/** Re-exported so workers import the registry and the defaults from one place. */
export { HandlerRegistry } from '../handler-registry';
export type { Handler, StageContext } from '../handler-registry';

/** A registry with codergen, tool and parallel.fan_in; add custom types with register(). */
export function createDefaultHandlers(opts: { backends?: CodergenBackends } = {}): HandlerRegistry {
  const backends = opts.backends ?? defaultBackends();
  return new HandlerRegistry()
    .register(NodeType.codergen, createCodergenHandler(backends))
    .register(NodeType.tool, toolHandler)
    .register(NodeType.fanIn, createFanInHandler(backends));
}

/** Alias of createDefaultHandlers (the name workers/pipeline.ts uses). */
export const defaultHandlerRegistry = createDefaultHandlers;
