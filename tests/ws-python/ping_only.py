"""A device on Python `websockets` that keeps alive only with WebSocket pings: it says hello, then sends no message at
all, only a ping every PING_S seconds (the library's default keep-alive is 20 s), and reads the host's frames.

Usage: ping_only.py URL TOKEN PING_S HOLD_S
Prints one JSON line when the host closed the socket or HOLD_S seconds passed:
  {"closed": bool, "code": int|null, "reason": str|null, "after_s": float, "pings_answered": int, "frames": int}
"""
import asyncio
import json
import sys
import time

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


def hello(token: str) -> str:
    return json.dumps({
        "type": "hello", "protocol": 1, "device": "python-pinger", "firmware": "py-0.1", "chip": "sim",
        "outputs": [{"id": "meter", "kind": "pwm", "bits": 10}], "buttons": [{"id": "select"}], "token": token,
    })


async def main(url: str, token: str, ping_s: float, hold_s: float) -> None:
    started = time.monotonic()
    frames = 0
    pongs = 0
    # The pings are ours, counted, rather than the library's hidden keep-alive.
    async with connect(url, ping_interval=None, max_size=2**16) as ws:
        await ws.send(hello(token))

        async def read() -> None:
            nonlocal frames
            async for _ in ws:
                frames += 1

        async def ping() -> None:
            nonlocal pongs
            while True:
                await asyncio.sleep(ping_s)
                await (await ws.ping())
                pongs += 1

        reader = asyncio.create_task(read())
        pinger = asyncio.create_task(ping())
        done, _ = await asyncio.wait({reader, pinger}, timeout=hold_s, return_when=asyncio.FIRST_COMPLETED)
        pinger.cancel()
        closed = reader in done or ws.close_code is not None
        if pinger in done and isinstance(pinger.exception(), ConnectionClosed):
            closed = True
        result = {
            "closed": closed,
            "code": ws.close_code if closed else None,
            "reason": ws.close_reason if closed else None,
            "after_s": round(time.monotonic() - started, 1),
            "pings_answered": pongs,
            "frames": frames,
        }
        reader.cancel()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])))
