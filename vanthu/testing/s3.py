"""An S3-compatible server for the tests: moto in server mode, a real process on the loopback.

Its fixtures (`moto_server`, `s3_storage`) are loaded for every test by the root conftest.py.
moto is a dev dependency (pyproject.toml): without it the tests FAIL, they do not skip, since a
storage backend nobody tested is not a backend.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

ACCESS_KEY = "vanthu-test"
SECRET_KEY = "vanthu-test-secret"
REGION = "us-east-1"


@dataclass
class S3Server:
    endpoint: str
    process: subprocess.Popen

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name=REGION)

    def new_bucket(self) -> str:
        name = f"vanthu-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def url(self, bucket: str, prefix: str = "") -> str:
        """The VANTHU_STORAGE_URL of a bucket on this server."""
        return f"s3://{ACCESS_KEY}:{SECRET_KEY}@{bucket}/{prefix}?endpoint={self.endpoint}&region={REGION}"

    def config(self, bucket: str, prefix: str = "") -> dict:
        """The settings.VANTHU_STORAGE of a bucket on this server."""
        return {"kind": "s3", "bucket": bucket, "prefix": prefix, "endpoint_url": self.endpoint, "region": REGION,
                "access_key": ACCESS_KEY, "secret_key": SECRET_KEY}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(timeout: float = 90) -> S3Server:
    """Start `python -m moto.server` on a free loopback port and wait until it answers."""
    import requests

    try:
        import moto.server  # noqa: F401
    except ImportError:
        pytest.fail("moto[server] is not installed: `uv sync` installs the dev dependencies", pytrace=False)
    port = _free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"moto's S3 server exited on start (status {proc.returncode})", pytrace=False)
        try:
            requests.get(endpoint + "/", timeout=2)
            return S3Server(endpoint, proc)
        except requests.RequestException:
            if time.monotonic() > deadline:
                stop(S3Server(endpoint, proc))
                pytest.fail("moto's S3 server did not answer in time", pytrace=False)
            time.sleep(0.2)


def stop(server: S3Server) -> None:
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[S3Server]:
    server = start_moto()
    try:
        yield server
    finally:
        stop(server)


@pytest.fixture
def s3_storage(moto_server, settings) -> str:
    """This test's stored files go to a new, empty bucket; its name."""
    bucket = moto_server.new_bucket()
    settings.VANTHU_STORAGE = moto_server.config(bucket)
    return bucket
