"""`vanthu bench cluster`: one web process against three, and stored files on S3 against bare boto3.

Web processes. The load scenario's world and office (`load.py`: clerks accepting, leaders
assigning, specialists completing, inspectors on the Bloc dashboard, everyone searching), served
by three `vanthu serve`-style gunicorn processes (one worker process each, VANTHU_LOAD_THREADS
threads) on one database, with one background worker. Rounds alternate between using only the
first process and spreading the people over all three (person i on process i mod n), so both
configurations meet the same machine, world and time: for each, the office mix's requests per
second and p95, and the inbox's throughput with clients flat out (8 per process in use). The
scaling factor is three processes' flat-out rate over one's; the machine's cores bound it
(a 2-core machine cannot give 3).

Files. A bucket on the configured S3 store (VANTHU_STORAGE_URL=s3://…) or, without one, on moto's
S3 server started for the run (a dev dependency): each round writes a fresh file of
VANTHU_CLUSTER_FILE_MB (default 4) through VanThu's store (spooled, hashed, stored under its
SHA-256 with the checksum) and the same number of bytes with a bare `put_object` of the same
client, then reads each back; MB/s for each side, interleaved.

value = three processes' inbox rate flat out, baseline = one process's; ratio = baseline / value
(the runner's convention; 1/3 would be perfect scaling).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid

from django.conf import settings
from django.db import connection

from vanthu import runtime
from vanthu.documents import blobstore

from . import load
from .runner import Context, Result, percentile, scenario

PROCESSES = 3
FLAT_CLIENTS_PER_PROCESS = 8


def _servers(ctx: Context, threads: int) -> tuple[list[str], list[subprocess.Popen]]:
    env = load._server_env(ctx)
    bases, procs = [], []
    for _ in range(PROCESSES):
        port = load._free_port()
        cmd = runtime.gunicorn_argv("127.0.0.1", port, 1, threads, access_log=False)
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        bases.append(f"http://127.0.0.1:{port}")
    for base, proc in zip(bases, procs, strict=True):
        load._wait_up(base, proc)
    return bases, procs


def _web(ctx: Context, people: list[load.Person], bases: list[str], seconds: float, think: float) -> dict:
    """Alternating rounds of the office on 1 and on 3 processes, then of the inbox flat out."""
    rounds = 4
    mix = {1: load.Tally(), PROCESSES: load.Tally()}
    mix_seconds = {1: 0.0, PROCESSES: 0.0}
    flat = {1: [0, 0.0, 0], PROCESSES: [0, 0.0, 0]}
    clerk = next(p for p in people if p.role == "clerk")
    params = {"organization_id": clerk.org_id, "limit": 20}
    flat_seconds = max(2.0, min(10.0, seconds / 6))
    for r in range(rounds):
        for n in ((1, PROCESSES) if r % 2 == 0 else (PROCESSES, 1)):
            ctx.say(f"round {r + 1}/{rounds}: {n} process(es), the office for {seconds / rounds / 2:.0f} s, "
                    f"then the inbox flat out for {flat_seconds:.0f} s")
            mix_seconds[n] += load._drive(bases[:n], people, seconds / rounds / 2, think, mix[n])
            got, took, errors = load._flat_out(bases[:n], clerk, "/api/v1/inbox", params, FLAT_CLIENTS_PER_PROCESS * n, flat_seconds)
            flat[n][0] += got
            flat[n][1] += took
            flat[n][2] += errors
    out = {}
    for n in (1, PROCESSES):
        times = mix[n].times
        out[n] = {
            "office_requests": len(times), "office_rps": round(len(times) / mix_seconds[n], 1) if mix_seconds[n] else 0.0,
            "office_p95_ms": round(percentile(times, 95), 1) if times else None,
            "office_errors_5xx": mix[n].errors_5xx, "connection_failures": mix[n].failures,
            "inbox_rps_flat_out": round(flat[n][0] / flat[n][1], 1) if flat[n][1] else 0.0,
            "inbox_requests_flat_out": flat[n][0], "inbox_errors_flat_out": flat[n][2],
        }
    return out


def _s3_store() -> tuple[blobstore.S3Store, subprocess.Popen | None]:
    """The configured S3 store, or a bucket on a moto server started here (stopped by the caller)."""
    config = getattr(settings, "VANTHU_STORAGE", {})
    if config.get("kind") == "s3":
        return blobstore.store_from(config, settings.FILES_DIR), None
    # moto is a dev dependency, like the S3 tests' server (vanthu/testing/s3.py, whose starter this uses).
    from vanthu.testing.s3 import start_moto

    server = start_moto()
    bucket = server.new_bucket()
    return blobstore.store_from(server.config(bucket, "bench"), settings.FILES_DIR), server.process


def _files(ctx: Context, rounds: int, size_mb: int) -> dict:
    store, moto = _s3_store()
    size = size_mb * 1024 * 1024
    put = {"vanthu": 0.0, "bare": 0.0}
    get = {"vanthu": 0.0, "bare": 0.0}
    try:
        for r in range(rounds):
            # Fresh bytes each time on each side: VanThu's store skips a file it already holds.
            ours, bare = os.urandom(size), os.urandom(size)
            bare_key = f"bench-bare/{uuid.uuid4().hex}"
            for side in (("vanthu", "bare") if r % 2 == 0 else ("bare", "vanthu")):
                start = time.perf_counter()
                if side == "vanthu":
                    sha, _n = store.write(io.BytesIO(ours))
                else:
                    store.client.put_object(Bucket=store.bucket, Key=bare_key, Body=bare, ContentLength=size)
                put[side] += time.perf_counter() - start
                start = time.perf_counter()
                if side == "vanthu":
                    with store.open(sha) as body:
                        got = body.read()
                else:
                    got = store.client.get_object(Bucket=store.bucket, Key=bare_key)["Body"].read()
                get[side] += time.perf_counter() - start
                if len(got) != size:
                    raise RuntimeError(f"{side}: read {len(got)} bytes of {size}")
    finally:
        if moto is not None:
            moto.terminate()
            moto.wait(timeout=30)
    mb = rounds * size_mb
    return {
        "backend": "configured S3" if moto is None else "moto (started for the run)", "files_per_side": rounds,
        "file_mb": size_mb, "upload_mb_s": round(mb / put["vanthu"], 1), "bare_upload_mb_s": round(mb / put["bare"], 1),
        "download_mb_s": round(mb / get["vanthu"], 1), "bare_download_mb_s": round(mb / get["bare"], 1),
        "upload_ratio": round(put["vanthu"] / put["bare"], 2), "download_ratio": round(get["vanthu"] / get["bare"], 2),
    }


@scenario("cluster", default_scale=300, tiny=10, small=60, manages_database=True,
          help="the office on 1 and on 3 web processes (req/s, p95, scaling), and S3 file throughput against bare boto3")
def run_cluster(ctx: Context) -> Result:
    users = ctx.scale
    seconds = float(os.environ.get("VANTHU_LOAD_SECONDS", "60"))
    think = float(os.environ.get("VANTHU_LOAD_THINK_SECONDS", "5"))
    threads = int(os.environ.get("VANTHU_LOAD_THREADS", "8"))
    documents = int(os.environ.get("VANTHU_LOAD_DOCUMENTS") or users * 200)
    root, reused = load._world(ctx, users, documents)
    people, _n_docs = load._arrivals(ctx, root)
    vendor = connection.vendor
    connection.close()
    bases, procs = _servers(ctx, threads)
    worker = subprocess.Popen([sys.executable, "-m", "vanthu.cli", "worker"], env=load._server_env(ctx),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ctx.say(f"{PROCESSES} gunicorn processes ({threads} threads each) and a worker; {len(people)} people")
        web = _web(ctx, people, bases, seconds, think)
    finally:
        load._stop(worker)
        for proc in procs:
            load._stop(proc)
    files_rounds = int(os.environ.get("VANTHU_CLUSTER_FILES") or max(3, min(12, users // 25)))
    files = _files(ctx, files_rounds, int(os.environ.get("VANTHU_CLUSTER_FILE_MB", "4")))
    one, three = web[1], web[PROCESSES]
    scaling = three["inbox_rps_flat_out"] / one["inbox_rps_flat_out"] if one["inbox_rps_flat_out"] else 0.0
    errors = sum(w["office_errors_5xx"] + w["connection_failures"] + w["inbox_errors_flat_out"] for w in web.values())
    details = {
        "database": vendor, "users": len(people), "documents_in_world": documents, "world_reused": reused,
        "cores": os.cpu_count(), "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "threads_per_process": threads, "one_process": one, "three_processes": three,
        "scaling_factor": round(scaling, 2), "files": files,
        "samples": three["inbox_requests_flat_out"], "baseline_samples": one["inbox_requests_flat_out"],
        "errors": errors, "ok": errors == 0,
    }
    return Result(
        scenario="cluster", metric=f"GET /api/v1/inbox flat out on {PROCESSES} web processes (baseline: 1)", unit="req/s",
        value=three["inbox_rps_flat_out"], baseline=one["inbox_rps_flat_out"], details=details, higher_is_better=True,
        summary=[
            f"office of {len(people)} people: 1 process {one['office_rps']} req/s p95 {one['office_p95_ms']} ms; "
            f"{PROCESSES} processes {three['office_rps']} req/s p95 {three['office_p95_ms']} ms",
            f"inbox flat out: {one['inbox_rps_flat_out']} → {three['inbox_rps_flat_out']} req/s, "
            f"scaling ×{scaling:.2f} on {os.cpu_count()} cores",
            f"S3 ({files['backend']}, {files['files_per_side']} × {files['file_mb']} MB): upload {files['upload_mb_s']} MB/s "
            f"(bare {files['bare_upload_mb_s']}), download {files['download_mb_s']} MB/s (bare {files['bare_download_mb_s']})",
        ],
    )
