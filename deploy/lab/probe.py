#!/usr/bin/python3
"""Who answers for the VIPs: an observer on the lab's LAN, in a namespace of its own.

Every --interval (50 ms) it drains its socket, then sends over one raw AF_PACKET socket
  - an ARP request (broadcast) for each target address, and
  - a TCP SYN to each target (address:port), once at each node's MAC, with a fresh random
    source port and sequence number,
and records which nodes answered until the next sample is due:
  A  an ARP reply from the node's MAC for a target address, addressed to us (gratuitous
     replies, whose target is the VIP itself, do not count)
  S  a SYN-ACK from the node's MAC that acknowledges one of this sample's SYNs (then we reset
     that half-open connection with a RST, so the listener's queue does not fill)
  R  a RST from the node's MAC for one of this sample's SYNs: the kernel answered, nothing listens
One line per sample:  <epoch_ms> lb1=<flags> lb2=<flags> [other=<mac>...]   (flags "-" = none)
A node "answers" in a sample when its flags hold A or S.

The observer's own kernel must not answer the SYN-ACKs (its RSTs would ask the VIP's MAC by
ARP, and those replies would look like answers): the drill drops its outgoing RSTs with nft.
Python 3 standard library only (no scapy): frames are built with struct.
"""
import argparse
import os
import random
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_ARP = 0x0806
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
BROADCAST = b"\xff" * 6


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def mac_text(b):
    return ":".join("%02x" % x for x in b)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def arp_request(src_mac, src_ip, target_ip):
    eth = BROADCAST + src_mac + struct.pack("!H", ETH_P_ARP)
    arp = struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, 1) + src_mac + src_ip + b"\0" * 6 + target_ip
    return (eth + arp).ljust(60, b"\0")


def tcp_frame(src_mac, dst_mac, src_ip, dst_ip, sport, dport, seq, flags):
    opts = struct.pack("!BBH", 2, 4, 1460) if flags & 0x02 else b""
    off = (20 + len(opts)) // 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, off << 4, flags, 64240, 0, 0) + opts
    pseudo = src_ip + dst_ip + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), random.randrange(65536), 0x4000, 64, 6, 0,
        src_ip, dst_ip)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return (dst_mac + src_mac + struct.pack("!H", ETH_P_IP) + ip + tcp).ljust(60, b"\0")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--iface", default="eth0")
    ap.add_argument("--src", required=True, help="this observer's IPv4 address")
    ap.add_argument("--node", action="append", required=True, metavar="NAME=MAC")
    ap.add_argument("--target", action="append", required=True, metavar="ADDR:PORT")
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--duration", type=float, default=3600, help="stop after this many seconds")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    nodes = []  # (name, mac bytes)
    for spec in a.node:
        name, mac = spec.split("=", 1)
        nodes.append((name, mac_bytes(mac)))
    by_mac = {mac: name for name, mac in nodes}
    targets = []
    for spec in a.target:
        addr, port = spec.rsplit(":", 1)
        targets.append((socket.inet_aton(addr), int(port)))
    target_ips = {t[0] for t in targets}
    src_ip = socket.inet_aton(a.src)

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((a.iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.setblocking(False)
    my_mac = s.getsockname()[4]

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    out = open(a.out, "a", buffering=1)
    end = time.monotonic() + a.duration
    tick = time.monotonic()
    while time.monotonic() < end:
        # Drain: whatever arrived before this sample's requests answers nothing of ours.
        while True:
            try:
                s.recv(65535)
            except BlockingIOError:
                break
        stamp = int(time.time() * 1000)
        pending = {}  # our source port -> (node name, seq, dst mac, dst ip, dst port)
        for tip in sorted(target_ips):
            s.send(arp_request(my_mac, src_ip, tip))
        for name, mac in nodes:
            for tip, port in targets:
                while True:
                    sport = random.randrange(20000, 60000)
                    if sport not in pending:
                        break
                seq = random.randrange(1 << 32)
                pending[sport] = (name, seq, mac, tip, port)
                s.send(tcp_frame(my_mac, mac, src_ip, tip, sport, port, seq, 0x02))
        flags = {name: set() for name, _ in nodes}
        other = set()
        tick += a.interval
        now = time.monotonic()
        if tick < now:  # fell behind (a busy machine): start the schedule again from now
            tick = now + a.interval
        while True:
            left = tick - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([s], [], [], left)
            if not r:
                continue
            while True:
                try:
                    data, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING or len(data) < 42:
                    continue
                src_mac = data[6:12]
                etype = struct.unpack("!H", data[12:14])[0]
                who = by_mac.get(src_mac)
                if etype == ETH_P_ARP:
                    op = struct.unpack("!H", data[20:22])[0]
                    sha, spa, tpa = data[22:28], data[28:32], data[38:42]
                    if op == 2 and spa in target_ips and tpa == src_ip:
                        w = by_mac.get(sha)
                        if w:
                            flags[w].add("A")
                        else:
                            other.add(mac_text(sha))
                elif etype == ETH_P_IP and data[23] == 6:
                    ihl = (data[14] & 0x0F) * 4
                    ip_src, ip_dst = data[26:30], data[30:34]
                    t = 14 + ihl
                    if ip_dst != src_ip or ip_src not in target_ips or len(data) < t + 20:
                        continue
                    sport, dport, rseq, rack, _, rflags = struct.unpack(
                        "!HHIIBB", data[t : t + 14])
                    p = pending.get(dport)
                    if not p or p[3] != ip_src or p[4] != sport:
                        continue
                    if rack != (p[1] + 1) & 0xFFFFFFFF:
                        continue
                    if rflags & 0x12 == 0x12:
                        mark = "S"
                        # Reset the half-open connection at the MAC that answered.
                        s.send(tcp_frame(my_mac, src_mac, src_ip, ip_src, dport, sport,
                                         (p[1] + 1) & 0xFFFFFFFF, 0x04))
                    elif rflags & 0x04:
                        mark = "R"
                    else:
                        continue
                    if who:
                        flags[who].add(mark)
                    else:
                        other.add(mac_text(src_mac))
        line = "%d %s" % (stamp, " ".join(
            "%s=%s" % (n, "".join(sorted(flags[n])) or "-") for n, _ in nodes))
        if other:
            line += " other=" + ",".join(sorted(other))
        out.write(line + "\n")


if __name__ == "__main__":
    main()
