#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""lb_backend.py - a tiny TCP server for the load balancer tests.

Run it in a backend namespace:

    lb_backend.py --name b1 --port 80 --log FILE [--fail-file FILE]

Every connection is logged to FILE as one line when it is accepted
("accept PEER_IP PEER_PORT LOCAL_IP LOCAL_PORT"), so a test can count the
connections a backend got and see the address they came from (in NAT mode the
client's real address, the backend's own address as local). The first line
"ready PORT TIME" is written once the socket listens (TIME: the wall clock
in microseconds).

Protocol, line based:
- a connection whose first bytes are "GET " is HTTP: the answer is
  "HTTP/1.0 200 OK" with the name as body, or 503 while --fail-file exists
  (to fail an HTTP health check while TCP connects still work); then close;
- otherwise each line received is answered with one line:
  "NAME PEER_IP:PEER_PORT LOCAL_IP:LOCAL_PORT LINE".
"""
import argparse
import asyncio
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--bind", default="0.0.0.0")
    ap.add_argument("--log", required=True)
    ap.add_argument("--fail-file", default="")
    a = ap.parse_args()
    log = open(a.log, "a", buffering=1)

    async def handle(reader, writer):
        peer = writer.get_extra_info("peername")[:2]
        local = writer.get_extra_info("sockname")[:2]
        log.write(f"accept {peer[0]} {peer[1]} {local[0]} {local[1]}\n")
        try:
            first = await reader.readline()
            if first.startswith(b"GET "):
                # Read the request's header lines (bounded), then answer.
                for _ in range(50):
                    line = await asyncio.wait_for(reader.readline(), 2)
                    if line in (b"\r\n", b"\n", b""):
                        break
                fail = a.fail_file and os.path.exists(a.fail_file)
                body = f"{a.name}\n".encode()
                status = b"503 Service Unavailable" if fail else b"200 OK"
                writer.write(b"HTTP/1.0 " + status + b"\r\nContent-Length: "
                             + str(len(body)).encode()
                             + b"\r\nConnection: close\r\n\r\n" + body)
                await writer.drain()
                return
            line = first
            while line:
                text = line.decode(errors="replace").rstrip("\r\n")
                writer.write(f"{a.name} {peer[0]}:{peer[1]} "
                             f"{local[0]}:{local[1]} {text}\n".encode())
                await writer.drain()
                line = await reader.readline()
        except (ConnectionError, asyncio.TimeoutError, OSError):
            pass
        finally:
            try:
                writer.close()
            except OSError:
                pass

    async def serve():
        srv = await asyncio.start_server(handle, a.bind, a.port,
                                         reuse_address=True, backlog=1024)
        log.write(f"ready {a.port} {time.time_ns() // 1000}\n")
        async with srv:
            await srv.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
