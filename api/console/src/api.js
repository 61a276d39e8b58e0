// The one GraphQL client of the console: the key travels in a header, errors become typed
// exceptions, and operations the server does not know (yet) are remembered as unavailable so
// their panels stay hidden instead of breaking the page.
import { AUTH_HEADER, authValue } from "./queries.js";

export class AuthError extends Error {}
export class ApiError extends Error {}
export class Unavailable extends Error {}

const MISSING_FIELD = /Cannot query field ['"](\w+)['"] on type ['"](Query|Mutation)['"]/;
const NO_MUTATIONS = /mutation operation is not supported/i;
/** The first field of an operation ("recordDecision" in "mutation RecordDecision(...) { recordDecision(...) ..."). */
const firstField = (document) => /\{\s*(\w+)/.exec(document)?.[1];

export class Api {
  constructor(key, endpoint = "/graphql") {
    this.key = key;
    this.endpoint = endpoint;
    this.unavailable = new Set();
    this.entityCache = new Map();
  }

  async request(document, variables = {}) {
    let response;
    try {
      response = await fetch(this.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", [AUTH_HEADER]: authValue(this.key) },
        body: JSON.stringify({ query: document, variables }),
      });
    } catch (err) {
      throw new ApiError(`network: ${err.message}`);
    }
    if (response.status === 401 || response.status === 403) throw new AuthError(`HTTP ${response.status}`);
    let body;
    try {
      body = await response.json();
    } catch {
      throw new ApiError(`HTTP ${response.status}`);
    }
    if (body.errors?.length) {
      const messages = body.errors.map((e) => e.message);
      const missing = messages.map((m) => MISSING_FIELD.exec(m)?.[1] || (NO_MUTATIONS.test(m) && firstField(document))).find(Boolean);
      if (missing) {
        this.unavailable.add(missing);
        throw new Unavailable(missing);
      }
      const codes = body.errors.map((e) => e.extensions?.code || "");
      if (codes.some((c) => /UNAUTHENTICATED|PERMISSION_DENIED|FORBIDDEN/i.test(c))) throw new AuthError(messages.join("; "));
      throw new ApiError(messages.join("; "));
    }
    return body.data;
  }

  /** Runs an optional operation: null when the server does not offer it. */
  async optional(name, document, variables) {
    if (this.unavailable.has(name)) return null;
    try {
      return await this.request(document, variables);
    } catch (err) {
      if (err instanceof Unavailable) return null;
      throw err;
    }
  }

  isAvailable(name) {
    return !this.unavailable.has(name);
  }
}
