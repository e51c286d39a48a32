// Calls to the report API, each with the signed-in user's bearer token; errors become ApiError with the
// problem details the API sent.
import { isProblem, summary, type Problem } from './problems';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(summary(problem));
    this.name = 'ApiError';
  }
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Api {
  get<T>(path: string): Promise<ApiResponse<T>>;
  post<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  delete<T>(path: string): Promise<ApiResponse<T>>;
}

/**
 * `token` gives the bearer token for each call; `onUnauthorized` hears about a 401 (the token expired
 * or was refused) before the call throws.
 */
export function createApi(token: () => Promise<string>, onUnauthorized: (error: ApiError) => void): Api {
  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const init: RequestInit = {
      method,
      headers: {
        Accept: 'application/json',
        Authorization: `Bearer ${await token()}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    };
    let response: Response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new ApiError(0, { title: 'Network error.', detail: 'The service could not be reached.' });
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!response.ok) {
      const problem: Problem = isProblem(parsed)
        ? parsed
        : { title: response.statusText || 'Request failed.', status: response.status };
      const error = new ApiError(response.status, problem);
      if (response.status === 401) onUnauthorized(error);
      throw error;
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
  return {
    get: (path) => call('GET', path),
    post: (path, body, headers) => call('POST', path, body, headers),
    delete: (path) => call('DELETE', path),
  };
}
