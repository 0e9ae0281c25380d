"""An independent device on Python `websockets`: pairs with the host, reads frames, sends commands.

Usage: device.py URL TOKEN MODE [DEVICE]
  MODE pair:    pair, print the first vram frame, switch metric with select_metric and print the ack and new frame.
  MODE acking:  pair offering flow control, print "paired", then for each metric frame print its seq, ts and when it
                was read (ms since the epoch), and tell the host it was applied.
  MODE legacy:  the same as firmware that predates flow control: no flow_control in the hello, no acknowledgements.
Every line printed is one JSON object.
"""
import json
import sys
import time

from websockets.sync.client import connect


def hello(token: str, device: str, outputs: list[str], flow_control: bool = False) -> str:
    message = {
        "type": "hello", "protocol": 1, "device": device, "firmware": "py-0.1", "chip": "sim",
        "outputs": [{"id": o, "kind": "pwm", "bits": 10} for o in outputs],
        "buttons": [{"id": "select"}], "token": token,
    }
    if flow_control:
        message["flow_control"] = True
    return json.dumps(message)


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


def follow(url: str, token: str, device: str, acking: bool) -> None:
    # No keep-alive pings: a process stopped with SIGSTOP must not come back to a keep-alive timeout of its own.
    with connect(url, max_size=2**16, ping_interval=None) as ws:
        ws.send(hello(token, device, ["meter"], flow_control=acking))
        until(ws, lambda m: m["type"] == "welcome")
        say({"paired": True})
        while True:
            message = json.loads(ws.recv(timeout=60))
            if "value" not in message:
                continue
            say({"seq": message["seq"], "ts": message["ts"], "at": time.time() * 1000})
            if acking:
                ws.send(json.dumps({"type": "applied", "seq": message["seq"]}))


if __name__ == "__main__":
    url, token, mode = sys.argv[1:4]
    device = sys.argv[4] if len(sys.argv) > 4 else "python-device"
    if mode == "pair":
        pair(url, token)
    else:
        follow(url, token, device, acking=mode == "acking")
