# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""What the netns test helpers written in Python share: entering a named
network namespace, and the Internet checksum."""
import ctypes
import os
import struct

CLONE_NEWNET = 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)


def setns(name):
    """Moves this thread into network namespace NAME (/run/netns/NAME);
    sockets opened before stay in theirs."""
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({name}): {os.strerror(err)}")
    finally:
        os.close(fd)


def csum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
