#!/usr/bin/env python3
"""Writes the binary var/log/wtmp and var/log/lastlog files of the fixture roots.

Run once from this directory: python3 make_login_records.py
The output is committed; this script documents exactly how it was made.

Layouts (glibc, x86-64 and every other Linux ABI with 32-bit ut_tv):
  struct utmp    (384 bytes): int16 ut_type, 2 pad, int32 ut_pid, char ut_line[32], char ut_id[4],
                              char ut_user[32], char ut_host[256], int16 e_termination, int16 e_exit,
                              int32 ut_session, int32 tv_sec, int32 tv_usec, int32 ut_addr_v6[4],
                              char unused[20]
  struct lastlog (292 bytes): int32 ll_time, char ll_line[32], char ll_host[256]; record N is uid N.
"""
import ipaddress
import os
import struct

BOOT_TIME, LOGIN_PROCESS, USER_PROCESS, DEAD_PROCESS = 2, 6, 7, 8


def utmp(kind, pid, line, ut_id, user, host, sec, ip=None):
    addr = b"\0" * 16
    if ip:
        packed = ipaddress.ip_address(ip).packed
        addr = packed + b"\0" * (16 - len(packed))
    rec = struct.pack("<hxxi32s4s32s256shhiii16s20x", kind, pid, line.encode(), ut_id.encode(),
                      user.encode(), host.encode(), 0, 0, 0, sec, 0, addr)
    assert len(rec) == 384
    return rec


def lastlog(records):
    """records: {uid: (time, line, host)}; returns the sparse file content up to the highest uid."""
    out = bytearray(292 * (max(records) + 1))
    for uid, (sec, line, host) in records.items():
        out[uid * 292:(uid + 1) * 292] = struct.pack("<i32s256s", sec, line.encode(), host.encode())
    return bytes(out)


def write(root, name, data):
    path = os.path.join("..", root, "var", "log", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


# root-debian: boot, a local console login, ssh logins over IPv4 and IPv6, a logout, a login of the
# uid-0 backdoor account "toor", and a truncated trailing record (an interrupted write).
debian_wtmp = b"".join([
    utmp(BOOT_TIME, 0, "~", "~~", "reboot", "6.1.0-27-amd64", 1764300000),
    utmp(LOGIN_PROCESS, 612, "tty1", "tty1", "LOGIN", "", 1764300012),
    utmp(USER_PROCESS, 612, "tty1", "tty1", "root", "", 1764300100),
    utmp(DEAD_PROCESS, 612, "tty1", "tty1", "", "", 1764300400),
    utmp(USER_PROCESS, 2201, "pts/0", "ts/0", "alice", "198.51.100.7", 1764310000, "198.51.100.7"),
    utmp(DEAD_PROCESS, 2201, "pts/0", "ts/0", "", "", 1764313600),
    utmp(USER_PROCESS, 2388, "pts/1", "ts/1", "bob", "2001:db8::5", 1764320000, "2001:db8::5"),
    utmp(USER_PROCESS, 2410, "pts/0", "ts/0", "alice", "vpn.example.net", 1764330000, "192.0.2.44"),
    utmp(USER_PROCESS, 2999, "pts/2", "ts/2", "toor", "203.0.113.66", 1764340000, "203.0.113.66"),
])
write("root-debian", "wtmp", debian_wtmp + debian_wtmp[:100])
# lastlog covers uid 0 only (root and toor share it): a newer ssh login than wtmp's console one.
write("root-debian", "lastlog", lastlog({0: (1764335000, "pts/3", "192.0.2.10")}))

# root-rpm: ops logs in over ssh; root's lastlog entry is a local console login (no host).
rpm_wtmp = b"".join([
    utmp(BOOT_TIME, 0, "~", "~~", "reboot", "5.14.0-427.el9.x86_64", 1764300000),
    utmp(USER_PROCESS, 1502, "pts/0", "ts/0", "ops", "10.20.30.40", 1764305000, "10.20.30.40"),
    utmp(DEAD_PROCESS, 1502, "pts/0", "ts/0", "", "", 1764306000),
])
write("root-rpm", "wtmp", rpm_wtmp)
write("root-rpm", "lastlog", lastlog({0: (1764301000, "tty1", "")}))

# root-alpine: busybox + utmps keeps a wtmp but no lastlog.
write("root-alpine", "wtmp", b"".join([
    utmp(BOOT_TIME, 0, "~", "~~", "reboot", "6.6.58-0-virt", 1764300000),
    utmp(USER_PROCESS, 301, "pts/0", "ts/0", "root", "172.16.0.9", 1764302000, "172.16.0.9"),
]))
