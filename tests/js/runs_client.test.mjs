// Run event client: compat §5 polling schedule, fallback when the socket cannot open, reconnect from lastSeq.
import assert from "node:assert/strict";
import { test } from "node:test";

import { POLLING_TIMEOUT_MESSAGE, pollDelays, streamRun } from "../../frontend/static/js/runs/client.js";

const loc = { protocol: "http:", host: "example.test" };
const ev = (seq, type = "log") => ({ seq, ts: "2026-01-02T03:04:05.000Z", level: "info", type, msg: `m${seq}` });

function fakeClock() {
  const timers = [];
  return {
    timers,
    setTimeoutImpl: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimeoutImpl: () => {},
    async next() {
      const t = timers.shift();
      assert.ok(t, "a timer is pending");
      t.fn();
      await new Promise((r) => setImmediate(r));
      return t.ms;
    },
  };
}

class FakeSocket {
  static made = [];
  constructor(url) {
    this.url = url;
    this.closed = null;
    FakeSocket.made.push(this);
  }
  close(code) {
    this.closed = code;
  }
  open() {
    this.onopen?.({});
  }
  send(event) {
    this.onmessage?.({ data: JSON.stringify(event) });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

test("poll delays: at once, then 1.5 s ×1.2 up to 5 s, 30 polls", () => {
  const delays = pollDelays();
  assert.equal(delays.length, 30);
  assert.deepEqual(delays.slice(0, 9), [0, 1500, 1800, 2160, 2592, 3110, 3732, 4479, 5000]);
  assert.ok(delays.slice(8).every((d) => d === 5000));
});

test("a socket that cannot open falls back to polling; polling times out with a clear message", async () => {
  FakeSocket.made = [];
  const clock = fakeClock();
  const urls = [];
  const errors = [];
  const modes = [];
  const fetchImpl = async (url) => {
    urls.push(url);
    return { ok: true, status: 200, json: async () => ({ events: [], lastSeq: 3, status: "running" }) };
  };
  streamRun("r1", {
    after: 3, WebSocketImpl: FakeSocket, fetchImpl, location: loc, ...clock,
    onError: (m) => errors.push(m), onMode: (m) => modes.push(m),
  });
  assert.equal(FakeSocket.made[0].url, "ws://example.test/ws/runs/r1/?after=3");
  FakeSocket.made[0].drop(1006); // never opened
  const waits = [];
  while (clock.timers.length) waits.push(await clock.next());
  assert.deepEqual(waits, pollDelays());
  assert.equal(urls.length, 30);
  assert.equal(urls[0], "/v1/runs/r1/events?after=3");
  assert.deepEqual(errors, [POLLING_TIMEOUT_MESSAGE]);
  assert.match(errors[0], /polling timeout/);
  assert.deepEqual([modes[1], modes.at(-1)], ["polling", "stopped"]);
});

test("polling delivers events after the last seq and stops at the terminal event", async () => {
  FakeSocket.made = [];
  const clock = fakeClock();
  const pages = [
    { events: [ev(1), ev(2)], status: "running" },
    { events: [], status: "running" },
    { events: [ev(3), ev(4, "run_succeeded")], status: "succeeded" },
  ];
  const urls = [];
  const fetchImpl = async (url) => {
    urls.push(url);
    const body = pages.shift();
    return { ok: true, status: 200, json: async () => body };
  };
  const got = [];
  const modes = [];
  streamRun("r1", { useSocket: false, fetchImpl, location: loc, ...clock, onEvents: (e) => got.push(...e), onMode: (m) => modes.push(m) });
  while (clock.timers.length) await clock.next();
  assert.deepEqual(got.map((e) => e.seq), [1, 2, 3, 4]);
  assert.deepEqual(urls, ["/v1/runs/r1/events?after=0", "/v1/runs/r1/events?after=2", "/v1/runs/r1/events?after=2"]);
  assert.equal(modes.at(-1), "done");
});

test("a dropped socket reconnects from the last seq; duplicates are not passed on; terminal closes", async () => {
  FakeSocket.made = [];
  const clock = fakeClock();
  const got = [];
  streamRun("r9", { WebSocketImpl: FakeSocket, location: loc, ...clock, onEvents: (e) => got.push(...e) });
  const first = FakeSocket.made[0];
  first.open();
  first.send(ev(1));
  first.send(ev(2));
  first.drop(1006);
  assert.equal(await clock.next(), 500);
  const second = FakeSocket.made[1];
  assert.equal(second.url, "ws://example.test/ws/runs/r9/?after=2");
  second.open();
  second.send(ev(2)); // overlap
  second.send(ev(3, "run_failed"));
  assert.deepEqual(got.map((e) => e.seq), [1, 2, 3]);
  assert.equal(second.closed, 1000);
  assert.equal(clock.timers.length, 0);
});

test("4404 stops with 'run not found' and no polling", () => {
  FakeSocket.made = [];
  const clock = fakeClock();
  const errors = [];
  streamRun("nope", { WebSocketImpl: FakeSocket, location: loc, ...clock, onError: (m) => errors.push(m) });
  FakeSocket.made[0].open();
  FakeSocket.made[0].drop(4404);
  assert.deepEqual(errors, ["run not found"]);
  assert.equal(clock.timers.length, 0);
});
