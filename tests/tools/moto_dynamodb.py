"""A DynamoDB-compatible server for the tests: moto's server mode on 127.0.0.1.

moto's DynamoDB backend does not lock, so two concurrent conditional writes could both
pass their condition; here one lock serialises requests, as DynamoDB's per-item
isolation would. The server exits when the process that started it exits.

Requests naming a table whose name starts with `faulty-` meet the failures real
DynamoDB may answer with, in turn: of every six `TransactWriteItems`, one is cancelled
for a conflicting transaction, one throttled, and one applied but answered with a
server error (the answer is lost); of every four `BatchGetItem`, one is throttled.
Nothing is applied for a refused request.

moto's query gathers and sorts the whole table; here it reads the queried partition.

moto's `TransactWriteItems` backs up a table by deep-copying it once per item of the
transaction, before any item is written (only the last copy is kept): a transaction of 100
items over a table of a few thousand items took seconds, and a sync of 1.000 cells
minutes. Here the first copy of a table serves the whole transaction: the same backup, made
once.

Usage: python3 moto_dynamodb.py PORT
"""
import copy
import io
import itertools
import json
import logging
import os
import sys
import threading
import time

import moto.dynamodb.models as dynamodb_models
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

port = int(sys.argv[1])
logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()
turns = {"TransactWriteItems": itertools.count(), "BatchGetItem": itertools.count()}


def backup_each_table_once(transact_write_items):
    """`transact_write_items` with one deep copy of each table it backs up."""
    def wrapped(self, transact_items):
        backups = {}

        def deepcopy(value, memo=None):
            if not isinstance(value, dynamodb_models.Table):
                return copy.deepcopy(value, memo)
            if id(value) not in backups:
                backups[id(value)] = (value, copy.deepcopy(value, memo))
            return backups[id(value)][1]

        dynamodb_models.copy = type("OneBackup", (), {"deepcopy": staticmethod(deepcopy)})
        try:
            return transact_write_items(self, transact_items)
        finally:
            dynamodb_models.copy = copy
    return wrapped


dynamodb_models.DynamoDBBackend.transact_write_items = backup_each_table_once(
    dynamodb_models.DynamoDBBackend.transact_write_items)


def one_partition(query):
    """`Table.query` of the table itself reading the queried partition only: moto's
    gathers and sorts every item of the table on each query (half a second for a table of
    150.000 items), where DynamoDB reads one partition. Requests are serialised, so the
    partition can stand in for the table's items while the query runs."""
    def wrapped(self, hash_key, *args, **kwargs):
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name or hash_key is None:
            return query(self, hash_key, *args, **kwargs)
        partition = self.items.get(hash_key, {})
        items = list(partition.values()) if self.range_key_attr else [partition]
        self.all_items = lambda: items
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items
    return wrapped


dynamodb_models.Table.query = one_partition(dynamodb_models.Table.query)


def fault_for(operation):
    """The failure this request meets, if any."""
    if operation == "TransactWriteItems":
        return {1: "conflict", 3: "throttle", 5: "lost"}.get(next(turns[operation]) % 6)
    if operation == "BatchGetItem":
        return "throttle" if next(turns[operation]) % 4 == 1 else None
    return None


def error(start_response, status, kind, message, **extra):
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{kind}", "message": message, **extra})
    start_response(status, [("Content-Type", "application/x-amz-json-1.0")])
    return [body.encode()]


def serialised(environ, start_response):
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = io.BytesIO(body)
    operation = environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
    with lock:
        fault = fault_for(operation) if b'"faulty-' in body else None
        if fault == "conflict":
            items = len(json.loads(body).get("TransactItems", []))
            reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}] * items
            return error(start_response, "400 Bad Request", "TransactionCanceledException",
                         "Transaction cancelled [TransactionConflict]", CancellationReasons=reasons)
        if fault == "throttle":
            return error(start_response, "400 Bad Request", "ThrottlingException", "Rate exceeded")
        # Consume the whole answer inside the lock.
        if fault == "lost":
            b"".join(app(environ, lambda *_: None))
            return error(start_response, "500 Internal Server Error", "InternalServerError", "answer lost")
        return [b"".join(app(environ, start_response))]


def exit_with_parent(parent):
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
server = make_server("127.0.0.1", port, serialised, threaded=True)
print(f"moto dynamodb listening on 127.0.0.1:{port}", flush=True)
server.serve_forever()
