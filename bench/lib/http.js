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
          // a 1 MB write buffer, as the CLI's snapshot download (apps/cli/src/lib/snapshot-file.ts)
          pipeline(res, createWriteStream(toFile, { highWaterMark: 1 << 20 })).then(
            () => resolve({ status: res.statusCode, text: '', json: undefined }),
            reject,
          );
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
 * The first complete HTTP/1.1 answer in `buffered` (a Content-Length body, what both servers send
 * for small JSON answers), or null when more bytes are needed. Throws on an answer without one.
 */
function takeAnswer(buffered) {
  const end = buffered.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = buffered.subarray(0, end).toString('latin1');
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length === null) throw new Error(`answer without Content-Length: ${head.split('\r\n')[0]}`);
  const total = end + 4 + Number(length[1]);
  if (buffered.length < total) return null;
  return { status: Number(head.slice(9, 12)), body: buffered.subarray(end + 4, total), rest: buffered.subarray(total) };
}

function requestBytes(target, method, token, body) {
  const head = [`${method} ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`, 'Connection: keep-alive'];
  if (token) head.push(`Authorization: Bearer ${token}`);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  if (payload !== undefined) head.push('Content-Type: application/json', `Content-Length: ${payload.length}`);
  const bytes = Buffer.from(`${head.join('\r\n')}\r\n\r\n`);
  return payload === undefined ? bytes : Buffer.concat([bytes, payload]);
}

/**
 * One raw keep-alive socket for sequential requests whose bytes are built once: `send()` writes
 * them and resolves with the answer's status and body. Node's http client costs ~0.15 ms a call
 * on this machine, a third of a small execute's budget; this client measures the server instead.
 */
export async function rawConnection(baseUrl, method, path, { token, body } = {}) {
  const target = new URL(path, baseUrl);
  const bytes = requestBytes(target, method, token, body);
  const socket = net.connect({ host: target.hostname, port: Number(target.port) });
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buffered = Buffer.alloc(0);
  let waiting = null;
  socket.on('data', (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    if (waiting === null) return;
    let answer;
    try {
      answer = takeAnswer(buffered);
    } catch (error) {
      waiting.reject(error);
      return;
    }
    if (answer === null) return;
    buffered = answer.rest;
    const { resolve } = waiting;
    waiting = null;
    resolve({ status: answer.status, body: answer.body });
  });
  socket.on('error', (error) => waiting?.reject(error));
  return {
    send: () =>
      new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        socket.write(bytes);
      }),
    close: () => socket.destroy(),
  };
}

/**
 * Closed-loop GET load on raw keep-alive sockets: `concurrency` connections, one request in
 * flight on each, the next sent as soon as the answer is complete. Much cheaper per request than
 * http.Agent, so on a small machine the servers, not the client, set the pace. Every answer
 * must be a 200 with a Content-Length body (what both servers send for a small JSON answer).
 */
export async function rawLoadTest({ baseUrl, path, token, concurrency, durationMs, maxRequests }) {
  const target = new URL(path, baseUrl);
  const bytes = requestBytes(target, 'GET', token, undefined);
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
        socket.write(bytes);
      };
      const fail = (error) => {
        socket.destroy();
        reject(new Error(`${baseUrl}${path}: ${error.message}`));
      };
      socket.on('connect', send);
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        for (;;) {
          let answer;
          try {
            answer = takeAnswer(buffered);
          } catch (error) {
            fail(error);
            return;
          }
          if (answer === null) return;
          if (answer.status !== 200) {
            fail(new Error(`unexpected status ${answer.status}`));
            return;
          }
          buffered = answer.rest;
          done += 1;
          send();
        }
      });
    });
  await Promise.all(Array.from({ length: concurrency }, connection));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { requests: done, seconds, perSecond: done / seconds };
}
