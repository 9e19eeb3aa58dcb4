// A minimal keep-alive HTTP client (node:http) used for every server the benchmarks talk to, so
// the daemon and its floors always see the same client.
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { pipeline } from 'node:stream/promises';

export const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One request. `body` (an object) is sent as JSON; `toFile` streams the answer into a file
 * instead of buffering it. Resolves with status, text and parsed JSON (when it is JSON).
 */
export function request(baseUrl, method, path, { token, body, timeoutMs = 120000, agent = keepAliveAgent, toFile, headers = {} } = {}) {
  const target = new URL(path, baseUrl);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const allHeaders = { ...headers };
  if (token) allHeaders.authorization = `Bearer ${token}`;
  if (payload !== undefined) {
    allHeaders['content-type'] = 'application/json';
    allHeaders['content-length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path: target.pathname + target.search,
        headers: allHeaders,
        agent,
        timeout: timeoutMs,
      },
      (res) => {
        if (toFile !== undefined && res.statusCode === 200) {
          pipeline(res, createWriteStream(toFile)).then(() => resolve({ status: res.statusCode, text: '', json: undefined }), reject);
          return;
        }
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Like request, but throws unless the status is `expected`. */
export async function expectStatus(expected, baseUrl, method, path, options) {
  const answer = await request(baseUrl, method, path, options);
  if (answer.status !== expected)
    throw new Error(`${method} ${path}: expected ${expected}, got ${answer.status}: ${answer.text.slice(0, 300)}`);
  return answer;
}

/**
 * Closed-loop load: `concurrency` requests in flight on keep-alive sockets, for `durationMs`
 * or until `maxRequests` answers, whichever comes first. Every answer must be 200.
 */
export async function loadTest({ baseUrl, path, token, concurrency, durationMs, maxRequests }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(path, baseUrl);
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const options = { host: target.hostname, port: target.port, method: 'GET', path: target.pathname, headers, agent };
  let done = 0;
  let failures = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(durationMs * 1e6));
  const one = () =>
    new Promise((resolve) => {
      const req = http.request(options, (res) => {
        if (res.statusCode !== 200) failures += 1;
        res.resume();
        res.on('end', resolve);
        res.on('error', () => {
          failures += 1;
          resolve();
        });
      });
      req.on('error', () => {
        failures += 1;
        resolve();
      });
      req.end();
    });
  const worker = async () => {
    while (process.hrtime.bigint() < deadline && done < maxRequests) {
      await one();
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  if (failures > 0) throw new Error(`load test on ${path}: ${failures} of ${done} requests failed`);
  return { requests: done, seconds, perSecond: done / seconds };
}

/**
 * Closed-loop GET load on raw keep-alive sockets: `concurrency` connections, one request in
 * flight on each, the next sent as soon as the answer is complete. Much cheaper per request than
 * http.Agent, so on a small machine the servers, not the client, set the pace. Every answer
 * must be a 200 with a Content-Length body (what both servers send for a small JSON answer).
 */
export async function rawLoadTest({ baseUrl, path, token, concurrency, durationMs, maxRequests }) {
  const target = new URL(path, baseUrl);
  const head = [`GET ${target.pathname} HTTP/1.1`, `Host: ${target.host}`, 'Connection: keep-alive'];
  if (token) head.push(`Authorization: Bearer ${token}`);
  const requestBytes = Buffer.from(`${head.join('\r\n')}\r\n\r\n`);
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(durationMs * 1e6));
  let done = 0;
  const connection = () =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ host: target.hostname, port: Number(target.port) });
      socket.setNoDelay(true);
      let buffered = Buffer.alloc(0);
      const send = () => {
        if (process.hrtime.bigint() >= deadline || done >= maxRequests) {
          socket.end();
          resolve();
          return;
        }
        socket.write(requestBytes);
      };
      socket.on('connect', send);
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        for (;;) {
          const end = buffered.indexOf('\r\n\r\n');
          if (end < 0) return;
          const headers = buffered.subarray(0, end).toString('latin1');
          const length = /\r\ncontent-length:\s*(\d+)/i.exec(headers);
          if (!headers.startsWith('HTTP/1.1 200') || length === null) {
            socket.destroy();
            reject(new Error(`unexpected answer from ${baseUrl}${path}: ${headers.split('\r\n')[0]}`));
            return;
          }
          const total = end + 4 + Number(length[1]);
          if (buffered.length < total) return;
          buffered = buffered.subarray(total);
          done += 1;
          send();
        }
      });
    });
  await Promise.all(Array.from({ length: concurrency }, connection));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { requests: done, seconds, perSecond: done / seconds };
}
