/** What the fake provider saw, from its `GET /_fake/stats` (admin requests are not counted). */

/** OpenAI chat completion requests the fake has received so far (any outcome). */
export async function chatRequestsSeenByFake(fakeUrl: string): Promise<number> {
  const response = await fetch(`${fakeUrl}/_fake/stats`, { signal: AbortSignal.timeout(5_000) });
  const stats = (await response.json()) as { byRoute: Record<string, number> };
  return stats.byRoute['openai.chat.completions'] ?? 0;
}
