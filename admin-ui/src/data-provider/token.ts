/**
 * The API token this browser sends (`Authorization: Bearer …`), kept in localStorage: a person pastes the token
 * `tributary token create` printed for them, and the server decides what their role allows. Plain (no React,
 * no react-admin), so the first paint's prefetch sends it too.
 */
const KEY = "tributary.token";

export function readToken(): string | null {
  try {
    const token = window.localStorage.getItem(KEY);
    return token !== null && token.trim() !== "" ? token.trim() : null;
  } catch {
    return null; // storage disabled: no token
  }
}

export function saveToken(token: string | null): void {
  try {
    if (token === null || token.trim() === "") window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, token.trim());
  } catch {
    // storage disabled: the token lasts as long as nothing (the caller is told by the next request)
  }
}

/** The headers every request to the API carries. */
export function apiHeaders(accept = "application/json"): Record<string, string> {
  const token = readToken();
  return { "content-type": "application/json", accept, ...(token === null ? {} : { authorization: `Bearer ${token}` }) };
}
