// The JSON API client: bearer token from the session, errors as {status, code, message, field}.
let token = sessionStorage.getItem('vnh.token') || '';
let onUnauthorized = () => {};

export function setToken(t) { token = t; if (t) sessionStorage.setItem('vnh.token', t); else sessionStorage.removeItem('vnh.token'); }
export function getToken() { return token; }
export function whenUnauthorized(f) { onUnauthorized = f; }
// The signed-in user ({username, role}), set by app.js.
let me = null;
export function setMe(m) { me = m; }
export function getMe() { return me; }

// Sends a request and answers its JSON (or text); an error answer is thrown as {status, code,
// message, field, …} with whatever else the error body holds (an import's `errors`).
async function send(method, path, headers, body) {
  const opts = { method, headers: { ...headers } };
  if (token) opts.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) opts.body = body;
  let res;
  try { res = await fetch(path, opts); } catch (e) { throw { status: 0, code: 'network', message: String(e) }; }
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => ({})) : await res.text();
  if (!res.ok) {
    const err = (data && data.error) || { code: String(res.status), message: res.statusText };
    if (data && data.errors) err.errors = data.errors;
    err.status = res.status;
    if (res.status === 401 && path !== '/api/v1/login') onUnauthorized();
    throw err;
  }
  return data;
}

export async function api(method, path, body, headers = {}) {
  if (body === undefined) return send(method, path, headers);
  return send(method, path, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(body));
}

// Sends a file's bytes as the body (a CSV to import).
export const upload = (path, file) => send('POST', path, { 'Content-Type': 'text/csv' }, file);

// Saves a file the API serves (a CSV, a statement) under `name`, or the name the server gives;
// fails like api() does.
export async function download(path, name) {
  let res;
  try { res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} }); } catch (e) {
    throw { status: 0, code: 'network', message: String(e) };
  }
  if (!res.ok) {
    const data = await res.json().catch(() => ({}));
    const err = data.error || { code: String(res.status), message: res.statusText };
    err.status = res.status;
    if (res.status === 401) onUnauthorized();
    throw err;
  }
  const given = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '')?.[1];
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name || given || 'download';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export const get = (p) => api('GET', p);
export const post = (p, b, h) => api('POST', p, b ?? {}, h);
export const patch = (p, b) => api('PATCH', p, b);
export const put = (p, b) => api('PUT', p, b);
