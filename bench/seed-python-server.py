"""The seed's design, the idle benchmark's baseline: a Python websockets server that reads VRAM through pyNVML
and sends {"type": "vram", "value": <percent>} to every connected client once per interval.

Usage: seed-python-server.py PORT [INTERVAL_MS]; prints "listening on PORT" once it accepts connections.
"""
import asyncio
import json
import sys

import pynvml
import websockets

clients = set()


async def handler(websocket):
    clients.add(websocket)
    try:
        async for _ in websocket:
            pass
    finally:
        clients.discard(websocket)


async def main(port, interval):
    pynvml.nvmlInit()
    gpu = pynvml.nvmlDeviceGetHandleByIndex(0)
    async with websockets.serve(handler, "127.0.0.1", port) as server:
        print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
        while True:
            memory = pynvml.nvmlDeviceGetMemoryInfo(gpu)
            websockets.broadcast(clients, json.dumps({"type": "vram", "value": round(memory.used / memory.total * 100, 1)}))
            await asyncio.sleep(interval)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2] if len(sys.argv) > 2 else 1000) / 1000))
