// Placeholder until the pipeline lands (issue 3).
export const handler = async (): Promise<{ results: unknown[] }> => ({ results: [] });
