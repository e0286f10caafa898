// The one way the UI talks to Kithkin's API: JSON in and out, every failure turned into a sentence.

const BASE = "/api/crm";

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/** Query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value === null || value === undefined || value === "" || value === false) continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/**
 * Call the API: api("/people", {params, method, json, form, signal}).
 * Resolves to the decoded JSON body; rejects with an ApiError whose message a person can read.
 */
export async function api(path, { params, method = "GET", json, form, signal } = {}) {
  const init = { method, signal, headers: { Accept: "application/json" } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (form !== undefined) {
    init.body = form;
  }
  let response;
  try {
    response = await fetch(BASE + path + query(params), init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("Kithkin's server cannot be reached; check that `kithkin serve` is still running.", 0);
  }
  if (!response.ok) throw new ApiError(await describe(response, path), response.status);
  if (response.status === 204) return null;
  try {
    return await response.json();
  } catch {
    throw new ApiError(`The server's answer for ${path} was not readable; try again.`, response.status);
  }
}

async function describe(response, path) {
  let detail = "";
  try {
    const body = await response.json();
    detail = typeof body.detail === "string" ? body.detail : "";
  } catch {
    // A non-JSON error page: fall through to the status wording.
  }
  // A route this server does not have yet answers 404 "Not Found" (or 405) from the framework.
  if ((response.status === 404 && (!detail || detail === "Not Found")) || response.status === 405) {
    return `This part of Kithkin (${path.split("?")[0]}) is not available on this server yet.`;
  }
  if (detail) return detail;
  if (response.status >= 500) return `The server failed while answering ${path}; see its log and try again.`;
  return `The server refused the request for ${path} (HTTP ${response.status}).`;
}
