// Public pieces only, all google-prefixed: libs/providers re-exports every provider folder with
// `export *`, where two folders exporting the same name would be a compile error.
export { GoogleProvider, GOOGLE_DEFAULT_BASE_URL, type GoogleProviderOptions } from './google.provider';
export { GoogleTranslator } from './google.translator';
export { GoogleEmbeddingTranslator, toGoogleEmbeddingRequest, fromGoogleEmbeddingResponse } from './google.embeddings';
export { toGoogleRequest, GOOGLE_THOUGHT_SIGNATURE_SENTINEL } from './google.request';
export { fromGoogleResponse } from './google.response';
export { createGoogleStreamState, googleStreamEvent, finishGoogleStream, type GoogleStreamState } from './google.stream';
export { googleErrorMessage } from './google.errors';
export type * from './google.wire';
export * from './google.plugin';
