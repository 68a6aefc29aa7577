#!/usr/bin/python3
"""Helpers of drill.sh: the HTTP clients it runs in the client namespace, and its figures.

  drill.py load URL OUT               one request at a time, ~10 ms apart (the takeover clock):
                                      a line per request: <start_ms> ok <server> | <start_ms> fail
  drill.py sticky OUT SRC... -- LABEL=HOST:PORT...
                                      every source address requests every target every ~200 ms,
                                      each on a new connection bound to that source:
                                      <start_ms> <src> <label> ok <server> | ... fail
  drill.py answering PROBE_LOG        the observer's samples: samples=N both=B one=O none=Z
                                      answered_<node>=ratio
  drill.py moves STATES FROM TO START NAME=LOG...
                                      how many times the active role moved between FROM and TO
                                      (epoch ms), from the polled states and the logs' "is now
                                      ACTIVE" lines (the larger of the two counts)
  drill.py sticky-moved STICKY_LOG FROM TO
                                      the (client, VIP) pairs answered by another server in
                                      (FROM, TO] than by their last answer before FROM
  drill.py hl7 SENDERS MESSAGES       the HL7 engines' logs on stdin ("<epoch_us> S<i>M<k>" a
                                      message received): hl7_lost=L hl7_duplicates=D
                                      hl7_order_violations=O for the control IDs hl7-send makes
Python 3 standard library only.
"""
import datetime
import re
import socket
import sys
import threading
import time


def now_ms():
    return int(time.time() * 1000)


def get(host, port, src=None, timeout=0.25):
    """One HTTP/1.0 GET on a new connection; the body's first word, or None."""
    try:
        with socket.create_connection(
            (host, port), timeout=timeout, source_address=(src, 0) if src else None
        ) as c:
            c.settimeout(timeout)
            c.sendall(b"GET / HTTP/1.0\r\nHost: drill\r\n\r\n")
            data = b""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                chunk = c.recv(4096)
                if not chunk:
                    break
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.") or b" 200 " not in head.split(b"\r\n")[0] + b" ":
            return None
        words = body.split()
        return words[0].decode() if words else None
    except OSError:
        return None


def load(url, out):
    hostport = url.split("//", 1)[1].split("/", 1)[0]
    host, _, port = hostport.partition(":")
    port = int(port or 80)
    with open(out, "a", buffering=1) as f:
        while True:
            server = get(host, port)
            # When the request ended: one in flight at a fault fails after the fault, not before.
            t = now_ms()
            f.write("%d ok %s\n" % (t, server) if server else "%d fail\n" % t)
            time.sleep(0.01)


def sticky(out, sources, targets):
    lock = threading.Lock()
    f = open(out, "a", buffering=1)

    def one(src, label, host, port, phase):
        time.sleep(phase)
        while True:
            t = now_ms()
            server = get(host, port, src, timeout=0.5)
            with lock:
                f.write("%d %s %s %s\n" % (t, src, label, "ok " + server if server else "fail"))
            time.sleep(max(0.0, 0.2 - (now_ms() - t) / 1000))

    threads = []
    n = len(sources) * len(targets)
    i = 0
    for src in sources:
        for spec in targets:
            label, hp = spec.split("=", 1)
            host, port = hp.rsplit(":", 1)
            th = threading.Thread(
                target=one, args=(src, label, host, int(port), 0.2 * i / n), daemon=True)
            th.start()
            threads.append(th)
            i += 1
    for th in threads:
        th.join()


def answering(path):
    samples = both = one = none = 0
    answered = {}
    for line in open(path):
        parts = line.split()
        if len(parts) < 2:
            continue
        samples += 1
        n = 0
        for p in parts[1:]:
            name, _, flags = p.partition("=")
            if name == "other":
                continue
            yes = "A" in flags or "S" in flags
            answered[name] = answered.get(name, 0) + (1 if yes else 0)
            n += yes
        if n >= 2:
            both += 1
        elif n == 1:
            one += 1
        else:
            none += 1
    ratios = " ".join(
        "answered_%s=%.3f" % (k, v / samples if samples else 0) for k, v in sorted(answered.items()))
    print("samples=%d both=%d one=%d none=%d %s" % (samples, both, one, none, ratios))


LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z .* is now ACTIVE")


def log_activations(path, name):
    found = []
    try:
        for line in open(path, errors="replace"):
            m = LOG_TIME.match(line)
            if m:
                t = datetime.datetime.fromisoformat(m.group(1)).replace(
                    tzinfo=datetime.timezone.utc)
                found.append((int(t.timestamp() * 1000), name))
    except FileNotFoundError:
        pass
    return found


def collapse(seq):
    out = []
    for x in seq:
        if not out or out[-1] != x:
            out.append(x)
    return out


def moves(states, t_from, t_to, start, logs):
    t_from, t_to = int(t_from), int(t_to)
    # The polled states: a sample names the active node when exactly one says "active"; a frozen
    # or dead node does not answer and says nothing.
    seq = [start]
    for line in open(states):
        p = line.split()
        if len(p) < 3 or not (t_from < int(p[0]) <= t_to):
            continue
        act = [n for n, s in zip(("lb1", "lb2"), p[1:3]) if s == "active"]
        if len(act) == 1:
            seq.append(act[0])
    polled = len(collapse(seq)) - 1
    events = []
    for spec in logs:
        name, _, path = spec.partition("=")
        events += [e for e in log_activations(path, name) if t_from < e[0] <= t_to]
    logged = len(collapse([start] + [n for _, n in sorted(events)])) - 1
    print(max(polled, logged), polled, logged)


def sticky_moved(path, t_from, t_to):
    t_from, t_to = int(t_from), int(t_to)
    before, moved = {}, set()
    for line in open(path):
        p = line.split()
        if len(p) < 5 or p[3] != "ok":
            continue
        t, key, server = int(p[0]), (p[1], p[2]), p[4]
        if t <= t_from:
            before[key] = server
        elif t <= t_to and key in before and before[key] != server:
            moved.add(key)
    print(len(moved), " ".join("%s/%s" % k for k in sorted(moved)))


def hl7(senders, messages):
    """Lost: sent, never received. Duplicates: received more than once. Order violations: a
    sender's message first received before an earlier message of that sender."""
    senders, messages = int(senders), int(messages)
    first, total = {}, 0
    for line in sys.stdin:
        p = line.split()
        if len(p) != 2:
            continue
        total += 1
        t, cid = int(p[0]), p[1]
        if cid not in first or t < first[cid]:
            first[cid] = t
    expected = []
    for i in range(senders):
        count = messages // senders + (1 if i < messages % senders else 0)
        expected.append(["S%dM%d" % (i, k) for k in range(1, count + 1)])
    lost = sum(1 for ids in expected for cid in ids if cid not in first)
    violations = 0
    for ids in expected:
        latest = -1
        for cid in ids:
            if cid not in first:
                continue
            if first[cid] < latest:
                violations += 1
            latest = max(latest, first[cid])
    print("hl7_lost=%d hl7_duplicates=%d hl7_order_violations=%d"
          % (lost, total - len(first), violations))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "load":
        load(*args)
    elif cmd == "sticky":
        i = args.index("--")
        sticky(args[0], args[1:i], args[i + 1 :])
    elif cmd == "answering":
        answering(args[0])
    elif cmd == "moves":
        moves(args[0], args[1], args[2], args[3], args[4:])
    elif cmd == "sticky-moved":
        sticky_moved(*args)
    elif cmd == "hl7":
        hl7(*args)
    else:
        sys.exit("drill.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
