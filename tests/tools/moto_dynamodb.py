"""A DynamoDB-compatible server for the tests: moto's server mode on 127.0.0.1.

moto's DynamoDB backend does not lock, so two concurrent conditional writes could both
pass their condition; here one lock serialises requests, as DynamoDB's per-item
isolation would. The server exits when the process that started it exits.

Usage: python3 moto_dynamodb.py PORT
"""
import os
import sys
import threading
import time

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

port = int(sys.argv[1])
app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()


def serialised(environ, start_response):
    with lock:
        # Consume the whole answer inside the lock.
        return [b"".join(app(environ, start_response))]


def exit_with_parent(parent):
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
server = make_server("127.0.0.1", port, serialised, threaded=True)
print(f"moto dynamodb listening on 127.0.0.1:{port}", flush=True)
server.serve_forever()
