/**
 * The Gemini API (generativelanguage.googleapis.com, v1beta) wire format: only the fields this
 * adapter writes or reads. Field names are the REST/JSON (camelCase) spelling.
 * Reference: https://ai.google.dev/api/generate-content and https://ai.google.dev/api/embeddings
 */

export type GoogleRole = 'user' | 'model';

export interface GoogleFunctionCall {
  /** Only ever read: the request side rejects `id` ("Unknown name \"id\" ... Cannot find field"). */
  id?: string;
  name: string;
  args?: Record<string, unknown>;
}

export interface GoogleFunctionResponse {
  name: string;
  response: Record<string, unknown>;
}

export interface GooglePart {
  text?: string;
  /** True on a "thought summary" part (thinking models with includeThoughts): not answer text. */
  thought?: boolean;
  /** Opaque, base64: Gemini 3 requires it back on the function calls of the current turn. */
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { fileUri: string; mimeType?: string };
  functionCall?: GoogleFunctionCall;
  functionResponse?: GoogleFunctionResponse;
}

export interface GoogleContent {
  role?: GoogleRole;
  parts: GooglePart[];
}

export interface GoogleFunctionDeclaration {
  name: string;
  description?: string;
  /** Full JSON Schema (mutually exclusive with the OpenAPI-subset `parameters`, which we never send). */
  parametersJsonSchema?: Record<string, unknown>;
}

export interface GoogleTool {
  functionDeclarations: GoogleFunctionDeclaration[];
}

export type GoogleFunctionCallingMode = 'AUTO' | 'ANY' | 'NONE';

export interface GoogleToolConfig {
  functionCallingConfig: { mode: GoogleFunctionCallingMode; allowedFunctionNames?: string[] };
}

export interface GoogleGenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  candidateCount?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  /** Standard JSON Schema (mutually exclusive with the OpenAPI-subset `responseSchema`, which we never send). */
  responseJsonSchema?: Record<string, unknown>;
}

export interface GoogleGenerateContentRequest {
  contents: GoogleContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: GoogleTool[];
  toolConfig?: GoogleToolConfig;
  generationConfig?: GoogleGenerationConfig;
}

/**
 * Every value the API documents. The union keeps `string` because Google adds values over time
 * (IMAGE_SAFETY, UNEXPECTED_TOOL_CALL, ...); unknown ones map to 'stop'.
 */
export type GoogleFinishReason =
  | 'FINISH_REASON_UNSPECIFIED'
  | 'STOP'
  | 'MAX_TOKENS'
  | 'SAFETY'
  | 'RECITATION'
  | 'LANGUAGE'
  | 'OTHER'
  | 'BLOCKLIST'
  | 'PROHIBITED_CONTENT'
  | 'SPII'
  | 'MALFORMED_FUNCTION_CALL'
  | 'IMAGE_SAFETY'
  | 'UNEXPECTED_TOOL_CALL'
  | (string & {});

export interface GoogleCandidate {
  /** Absent when the candidate was blocked (finishReason SAFETY and friends). */
  content?: { role?: GoogleRole; parts?: GooglePart[] };
  /** Absent until the candidate is complete (stream chunks before the last). */
  finishReason?: GoogleFinishReason;
  /** Absent on some single-candidate answers: fall back to the array position. */
  index?: number;
}

export interface GoogleUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  cachedContentTokenCount?: number;
  totalTokenCount?: number;
}

export interface GooglePromptFeedback {
  /** Set when the prompt itself was blocked: the answer then has no candidates. */
  blockReason?: string;
}

export interface GoogleGenerateContentResponse {
  candidates?: GoogleCandidate[];
  promptFeedback?: GooglePromptFeedback;
  usageMetadata?: GoogleUsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

export interface GoogleEmbedContentRequest {
  /** `models/{model}`; must match the model in the URL. */
  model: string;
  content: { parts: Array<{ text: string }> };
  outputDimensionality?: number;
}

export interface GoogleBatchEmbedContentsRequest {
  requests: GoogleEmbedContentRequest[];
}

export interface GoogleBatchEmbedContentsResponse {
  embeddings?: Array<{ values?: number[] }>;
  /** Not sent by the Gemini API today (Vertex AI sends it); read when present. */
  usageMetadata?: { promptTokenCount?: number };
}

/** google.rpc.Status as the JSON error body: `{ "error": { code, message, status } }`. */
export interface GoogleErrorBody {
  error: { code?: number; message?: string; status?: string };
}
