// The console live channel: a websocket to /api/v1/live that authenticates with the session
// token, dispatches JSON events to subscribers, and reconnects by itself with backoff.
import { getToken } from './api.js';

const listeners = new Set();
let ws = null;
let retry = 0;
let wanted = false;
let statusCb = () => {};

export function onLive(f) { listeners.add(f); return () => listeners.delete(f); }
export function onStatus(f) { statusCb = f; }

export function connectLive() {
  wanted = true;
  if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) return;
  statusCb('wait');
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  ws = new WebSocket(`${proto}://${location.host}/api/v1/live`);
  ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: getToken() }));
  ws.onmessage = (m) => {
    let ev;
    try { ev = JSON.parse(m.data); } catch { return; }
    if (ev.type === 'hello') { retry = 0; statusCb('on'); }
    for (const f of listeners) { try { f(ev); } catch (e) { console.error(e); } }
  };
  ws.onclose = () => {
    statusCb('off');
    ws = null;
    if (!wanted) return;
    const delay = Math.min(10000, 500 * 2 ** retry++);
    setTimeout(connectLive, delay);
  };
  ws.onerror = () => { try { ws.close(); } catch {} };
}

export function disconnectLive() { wanted = false; if (ws) ws.close(); }

// Keep-alive so proxies do not drop an idle channel.
setInterval(() => { if (ws && ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping"}'); }, 25000);
