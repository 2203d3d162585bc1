// The console's calls: the management API and the DynamoDB API through /console/api, with the
// session's CSRF token on every state-changing request.

let csrf = '';
let onUnauthenticated = () => {};

/** An error answer: HTTP status, code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || ('HTTP ' + status));
    this.status = status;
    this.code = code;
  }
}

/** Sets the CSRF token (from the login or session answer). */
export function setCsrf(token) { csrf = token || ''; }
/** What to do when the session is gone (401). */
export function whenUnauthenticated(f) { onUnauthenticated = f; }

/** One call to /console/api/`path`. */
export async function call(method, path, body, headers) {
  const h = Object.assign({}, headers || {});
  if (method !== 'GET') h['X-CSRF-Token'] = csrf;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch('/console/api/' + path, {
    method, headers: h, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = text; }
  if (!r.ok) {
    const type = data && (data.code || data.__type);
    const code = type ? String(type).split('#').pop() : '';
    const message = data && (data.message || data.Message);
    if (r.status === 401 && path !== 'login') onUnauthenticated();
    throw new ApiError(r.status, code, message || text);
  }
  return data;
}

const seg = (s) => encodeURIComponent(s);

/** The management API (paths after /management, parts already encoded with `p`). */
export const mgmt = {
  get: (path) => call('GET', 'management' + path),
  post: (path, body) => call('POST', 'management' + path, body === undefined ? {} : body),
  put: (path, body) => call('PUT', 'management' + path, body === undefined ? {} : body),
  del: (path) => call('DELETE', 'management' + path),
  /** Every item of a paged list. */
  async all(path) {
    const items = [];
    let marker = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const q = 'max_items=100' + (marker ? '&marker=' + seg(marker) : '');
      const page = await call('GET', 'management' + path + sep + q);
      items.push(...page.items);
      marker = page.next_marker;
    } while (marker);
    return items;
  },
};

/** A management path from parts, each encoded. */
export function p(...parts) { return '/' + parts.map(seg).join('/'); }

/** A DynamoDB API call `op` with `body`, in `account` (admins choose one). */
export function ddb(op, body, account) {
  return call('POST', 'dynamodb', body, {
    'X-Amz-Target': 'DynamoDB_20120810.' + op,
    'X-Extenddb-Account': account || '',
  });
}

/** The metrics text. */
export async function metricsText() {
  const r = await fetch('/console/api/metrics', { credentials: 'same-origin' });
  if (r.status === 401) onUnauthenticated();
  const text = await r.text();
  if (!r.ok) {
    let message = text;
    try { message = JSON.parse(text).message; } catch (_) { /* text */ }
    throw new ApiError(r.status, 'Error', message);
  }
  return text;
}
