// The console's JSON API. The session travels in its HttpOnly cookie; changes carry the header the
// server requires of them (a page of another site cannot send it).

export function getJson(path) {
  return request('GET', path);
}

export function postJson(path, body = {}) {
  return request('POST', path, body);
}

async function request(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'x-console-request': '1' });
  const response = await fetch(`/console/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 401) {
    location.assign('/console/login');
    throw new Error('Signed out.');
  }
  const payload = await response.json();
  if (!response.ok) throw new Error(payload.message ?? `The console API answered ${response.status}.`);
  return payload;
}
