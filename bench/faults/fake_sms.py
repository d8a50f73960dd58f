"""A stand-in SMS gateway on 127.0.0.1 for the fault drills: answers slowly, with an error, or normally.

    fake_sms.py --port 8591 --sleep 3        # every message takes 3 s, then 200
    fake_sms.py --port 8592 --status 503     # every message fails with 503

What it receives is appended, as the `file` SMS backend writes it, to var/faults/fake-sms.jsonl, so a
drill can read the codes. Stops by itself after --lifetime seconds (default 600).
"""

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "var" / "faults" / "fake-sms.jsonl"
LOCK = threading.Lock()


def handler(sleep, status):
    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(sleep)
            if status < 400:
                with LOCK, OUT.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(json.loads(body), ensure_ascii=False) + "\n")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": %s}' % (b"true" if status < 400 else b"false"))

        def log_message(self, *args):
            pass

    return Gateway


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sleep", type=float, default=0)
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--lifetime", type=float, default=600)
    args = parser.parse_args()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(args.sleep, args.status))
    server.daemon_threads = True
    threading.Timer(args.lifetime, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
