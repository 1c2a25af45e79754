"""What one idle websocket costs the server before Reflex or the portal hold anything: the floor under
"backend memory per tab" (docs/benchmarks.md, "What an idle tab's memory is made of").

Run: .venv/bin/python benchmarks/websocket_floor.py [--connections 2000]

Four tiny ASGI apps are served one after the other, each in its own process on a free port, and the
same number of idle websockets is opened to each from this process (aiohttp's client):

- "bare": an app that accepts the websocket and waits (no framework at all);
- "socket.io": python-socketio's ASGI app on `/_event`, as Reflex mounts it, each client opening its
  namespace (the "40" packet) and then idle;

each on Granian (the server `reflex run --env prod` starts; the portal's) and on Uvicorn with wsproto
(both already installed with Reflex: requirements.lock). The figure is the server's resident memory
with the connections open, less before, per connection (the process and its children, from /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import os
import platform
import resource
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.served import (  # noqa: E402
    descendants,
    free_port,
    resident_bytes,
    start_server,
    stop_server,
    wait_until_up,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = PROJECT_DIR / ".venv" / "bin"
KIB = 1024

BARE_APP = """
async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while (await receive())["type"] != "websocket.disconnect":
            pass
    else:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
"""

SOCKETIO_APP = """
import socketio

sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*", transports=["websocket"])


async def answer_http(scope, receive, send):  # so the benchmark can see the server is up
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


app = socketio.ASGIApp(sio, other_asgi_app=answer_http, socketio_path="_event")


@sio.on("connect")
async def connect(sid, environ, auth=None):
    return True
"""

APPS = {"bare": (BARE_APP, "/ws"), "socket.io": (SOCKETIO_APP, "/_event/?EIO=4&transport=websocket")}


def server_command(server: str, module: str, port: int) -> list[str]:
    if server == "granian":
        return [str(VENV_BIN / "granian"), "--interface", "asgi", "--port", str(port), "--workers", "1", module]
    return [str(VENV_BIN / "uvicorn"), module, "--port", str(port), "--ws", "wsproto", "--log-level", "warning"]


def server_memory(pid: int) -> int:
    return sum(resident_bytes(p) for p in (pid, *descendants(pid)))


async def hold_connections(url: str, count: int, pid: int, socketio: bool) -> tuple[int, int]:
    """Open `count` idle websockets (after 50 to warm up); the server's memory before and with them."""
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        sockets = []

        async def open_one():
            websocket = await session.ws_connect(url)
            if socketio:
                await websocket.send_str("40")  # open the default namespace, as a socket.io client does
            sockets.append(websocket)

        for _ in range(50):
            await open_one()
        await asyncio.sleep(2)
        before = server_memory(pid)
        for _ in range(count):
            await open_one()
        await asyncio.sleep(3)
        with_them = server_memory(pid)
        for websocket in sockets:
            await websocket.close()
    return before, with_them


def measure(server: str, app: str, count: int, work: Path) -> float:
    source, path = APPS[app]
    module = f"floor_{app.replace('.', '')}"
    (work / f"{module}.py").write_text(source)
    port = free_port()
    command = server_command(server, f"{module}:app", port)
    served = start_server(
        f"{app} on {server}", command, cwd=work, env=dict(os.environ), port=port, log=work / "server.log"
    )
    try:
        wait_until_up(served, "/", seconds=30)
        before, with_them = asyncio.run(
            hold_connections(f"ws://127.0.0.1:{port}{path}", count, served.process.pid, app == "socket.io")
        )
    finally:
        stop_server(served)
    return (with_them - before) / count / KIB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=2000, help="idle websockets per server (default 2000)")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.connections * 2 + 1000)), hard))
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}" for name in ("granian", "uvicorn", "wsproto", "python-socketio")
    )
    print(f"{platform.machine()}, {platform.python_version()}; {versions}; {args.connections} idle websockets each")
    print("| app | Granian (KiB per connection) | Uvicorn + wsproto (KiB per connection) |")
    print("|---|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="websocket-floor-") as folder:
        for app in APPS:
            figures = [measure(server, app, args.connections, Path(folder)) for server in ("granian", "uvicorn")]
            print(f"| {app} | {figures[0]:.1f} | {figures[1]:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
