"""An independent device on Python `websockets`: pairs with the host, reads frames, sends commands.

Usage: device.py URL TOKEN MODE
  MODE pair:  pair, print the first vram frame, switch metric with select_metric and print the ack and new frame.
  MODE slow:  pair with a tiny receive buffer, print "paired", then print each frame's seq as it reads them.
Every line printed is one JSON object.
"""
import json
import socket
import sys
from urllib.parse import urlparse

from websockets.sync.client import connect


def hello(token: str, device: str, outputs: list[str]) -> str:
    return json.dumps({
        "type": "hello", "protocol": 1, "device": device, "firmware": "py-0.1", "chip": "sim",
        "outputs": [{"id": o, "kind": "pwm", "bits": 10} for o in outputs],
        "buttons": [{"id": "select"}], "token": token,
    })


def say(obj: dict) -> None:
    print(json.dumps(obj), flush=True)


def until(ws, predicate):
    while True:
        message = json.loads(ws.recv(timeout=10))
        if predicate(message):
            return message


def pair(url: str, token: str) -> None:
    with connect(url, max_size=2**16) as ws:
        ws.send(hello(token, "python-device", ["meter"]))
        say({"welcome": until(ws, lambda m: m["type"] == "welcome")})
        say({"frame": until(ws, lambda m: m["type"] == "vram")})
        ws.send(json.dumps({"type": "select_metric", "id": 42, "output": "meter", "metric": "cpu"}))
        say({"ack": until(ws, lambda m: m["type"] == "ack" and m["id"] == 42)})
        say({"frame": until(ws, lambda m: m["type"] == "cpu")})
        ws.send("{broken")
        say({"error": until(ws, lambda m: m["type"] == "error")})


def slow(url: str, token: str) -> None:
    parts = urlparse(url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A tiny receive window, so the host's queue backs up soon after this process stops reading.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    sock.connect((parts.hostname, parts.port))
    with connect(url, sock=sock, max_size=2**16, max_queue=4) as ws:
        ws.send(hello(token, "slow-device", [f"out{i}" for i in range(8)]))
        until(ws, lambda m: m["type"] == "welcome")
        say({"paired": True})
        while True:
            message = json.loads(ws.recv(timeout=30))
            if "seq" in message and message["type"] != "heartbeat":
                say({"seq": message["seq"], "ts": message.get("ts")})


if __name__ == "__main__":
    url, token, mode = sys.argv[1:4]
    {"pair": pair, "slow": slow}[mode](url, token)
