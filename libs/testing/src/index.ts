/**
 * Test support shared by the libraries' unit specs (docs/testing.md): one scripted provider
 * instead of one fake per lib, and the helpers around it. Only specs and their helpers may import
 * this package (.dependency-cruiser.cjs); it is never built, packed or published.
 */
export { ScriptedProvider, type ScriptedCall, type Step } from './scripted-provider';
export { collect, delay, gate, hubErrorOf, rejectionOf, untilAborted, type Gate } from './async';
export { chunkOf, completionOf, user } from './canonical';
