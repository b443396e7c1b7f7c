#!/usr/bin/python3
"""labelloopd as seen by an outside client: Python grpcio with stubs generated from proto/.

Run by CTest as
    /usr/bin/python3 outside_client_test.py --labelloopd=PATH --proto_dir=DIR [unittest args]

The stubs are generated into a temporary folder with the system protoc and grpc_python_plugin
(grpc_tools in Debian 12 is too old for protobuf 3.21), so the test also checks that the
published .proto files compile for another language on their own.
"""

import argparse
import glob
import math
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

import grpc

ARGS = None
V1 = None  # Namespace of the generated modules, set by generate_stubs().

BCCD_DIR = os.environ.get(
    "LABELLOOP_BCCD_DIR",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                 "datasets", "bccd"))


class Stubs:
    """The generated labelloop.v1 modules."""

    def __init__(self, out_dir):
        sys.path.insert(0, out_dir)
        from labelloop.v1 import dataset_pb2, dataset_pb2_grpc, queue_pb2, queue_pb2_grpc
        from labelloop.v1 import types_pb2

        self.dataset = dataset_pb2
        self.dataset_grpc = dataset_pb2_grpc
        self.queue = queue_pb2
        self.queue_grpc = queue_pb2_grpc
        self.types = types_pb2


def generate_stubs(proto_dir, out_dir):
    protos = sorted(glob.glob(os.path.join(proto_dir, "labelloop", "v1", "*.proto")))
    if not protos:
        raise RuntimeError(f"no .proto files under {proto_dir}/labelloop/v1")
    subprocess.run(
        ["protoc", f"--python_out={out_dir}", f"--grpc_out={out_dir}",
         "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin", "-I", proto_dir, *protos],
        check=True)
    return Stubs(out_dir)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bmp_bytes(width, height, seed):
    """A 24-bit BMP whose pixels depend on seed: distinct seeds give distinct images."""
    row_bytes = (width * 3 + 3) & ~3
    pixels = bytearray()
    state = (seed * 2654435761 + 1) & 0xFFFFFFFF
    for y in range(height):
        row = bytearray()
        for x in range(width):
            state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
            row += bytes(((x * 7 + seed) & 0xFF, (y * 5) & 0xFF, state >> 24))
        row += b"\0" * (row_bytes - len(row))
        pixels += row
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + info + bytes(pixels)


def health_check(channel, timeout=2.0):
    """grpc.health.v1.Health/Check by hand: the grpc_health package is not in Debian 12.
    The request {service: ""} is empty on the wire; SERVING is field 1 = 1, bytes 08 01."""
    check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                request_serializer=lambda request: request,
                                response_deserializer=lambda response: response)
    return check(b"", timeout=timeout)


class Daemon:
    """labelloopd on a free loopback port with a fresh data folder."""

    def __init__(self, binary, root):
        self.binary = binary
        self.data_dir = os.path.join(root, "data")
        self.log_path = os.path.join(root, "labelloopd.log")
        self.process = None
        self.address = None

    def start(self, timeout=60.0):
        self.address = f"127.0.0.1:{free_port()}"
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.binary, f"--data_dir={self.data_dir}", f"--listen={self.address}"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"labelloopd exited with {self.process.returncode}:\n{self.log()}")
            # A fresh channel (and subchannel) per try: a channel that was refused before the
            # daemon listened backs off for a second or more before trying again.
            with grpc.insecure_channel(self.address,
                                       options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
                try:
                    if health_check(channel, timeout=1.0) == b"\x08\x01":
                        return
                except grpc.RpcError:
                    pass
            time.sleep(0.05)
        raise RuntimeError(f"labelloopd not serving after {timeout}s:\n{self.log()}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                return self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode if self.process else None

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")


class OutsideClientTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="labelloop-pytest-")
        self.daemon = Daemon(ARGS.labelloopd, self.root)
        self.daemon.start()
        self.channel = grpc.insecure_channel(self.daemon.address)
        self.dataset = V1.dataset_grpc.DatasetServiceStub(self.channel)
        self.queue = V1.queue_grpc.QueueServiceStub(self.channel)

    def tearDown(self):
        self.channel.close()
        exit_code = self.daemon.stop()
        if not os.environ.get("LABELLOOP_KEEP_TEST_DIRS"):
            shutil.rmtree(self.root, ignore_errors=True)
        self.assertEqual(exit_code, 0, "labelloopd did not stop cleanly on SIGTERM")

    # Helpers.

    def add_bytes(self, items):
        """items: (name, bytes) pairs, sent as one AddImages client stream."""
        requests = (V1.dataset.AddImagesRequest(data=data, name=name) for name, data in items)
        return self.dataset.AddImages(requests, timeout=60)

    def add_images(self, count, first_seed=0):
        reply = self.add_bytes((f"py{first_seed + i}.bmp", bmp_bytes(48, 32, first_seed + i))
                               for i in range(count))
        self.assertEqual(reply.added, count, reply)
        return reply

    def set_classes(self, *names):
        return self.dataset.UpdateClasses(V1.dataset.UpdateClassesRequest(names=names), timeout=10)

    def lease(self, count, annotator="py"):
        return self.queue.GetNextBatch(
            V1.queue.GetNextBatchRequest(count=count, annotator=annotator), timeout=10).items

    @staticmethod
    def box(x1, y1, x2, y2, name):
        return V1.types.Box(x1=x1, y1=y1, x2=x2, y2=y2, class_name=name)

    def assert_rpc_error(self, code, call, *args, **kwargs):
        with self.assertRaises(grpc.RpcError) as raised:
            call(*args, timeout=10, **kwargs)
        self.assertEqual(raised.exception.code(), code, raised.exception.details())
        self.assertTrue(raised.exception.details(), "an error should say what is wrong")
        return raised.exception

    # Tests.

    def test_health_is_serving(self):
        self.assertEqual(health_check(self.channel), b"\x08\x01")

    def test_reflection_lists_the_services(self):
        # grpc.reflection.v1alpha by hand, like the health check: ServerReflectionRequest with
        # list_services (field 7) = "" is bytes 3a 00; the reply lists full service names.
        info = self.channel.stream_stream(
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            request_serializer=lambda request: request,
            response_deserializer=lambda response: response)
        replies = list(info(iter([b"\x3a\x00"]), timeout=10))
        self.assertEqual(len(replies), 1)
        for service in (b"labelloop.v1.DatasetService", b"labelloop.v1.QueueService",
                        b"grpc.health.v1.Health"):
            self.assertIn(service, replies[0])

    def test_add_images_streams_bytes_and_reports_each_item(self):
        items = [(f"a{i}.bmp", bmp_bytes(40, 30, i)) for i in range(3)]
        for path in sorted(glob.glob(os.path.join(BCCD_DIR, "JPEGImages", "*.jpg")))[:2]:
            with open(path, "rb") as f:
                items.append((path, f.read()))
        expected_added = len(items)
        items += [("dup.bmp", items[0][1]), ("text.jpg", b"hello, not an image"),
                  ("empty.png", b"")]
        reply = self.add_bytes(items)
        self.assertEqual(reply.added, expected_added, reply)
        self.assertEqual(reply.duplicates, 1, reply)
        self.assertEqual(sorted(r.path for r in reply.rejected), ["empty.png", "text.jpg"])
        for rejected in reply.rejected:
            self.assertTrue(rejected.error)
        by_source = {image.source: image for image in reply.images}
        self.assertTrue(by_source["dup.bmp"].duplicate)
        self.assertEqual(by_source["dup.bmp"].image_id, by_source["a0.bmp"].image_id)

        image = self.dataset.GetImage(
            V1.dataset.GetImageRequest(image_id=by_source["a1.bmp"].image_id, include_bytes=True),
            timeout=10)
        self.assertEqual(image.data, items[1][1])
        self.assertEqual((image.image.width, image.image.height), (40, 30))
        self.assertEqual(image.image.uri, "a1.bmp")
        self.assertEqual(image.image.state, V1.types.IMAGE_STATE_UNLABELED)
        self.assertIn(image.image.split, ("train", "val"))

    def test_list_images_pages_and_filters(self):
        self.add_images(25)
        seen, pages, token = [], 0, ""
        while True:
            reply = self.dataset.ListImages(
                V1.dataset.ListImagesRequest(page_size=10, page_token=token), timeout=10)
            pages += 1
            seen += [image.id for image in reply.images]
            self.assertLessEqual(len(reply.images), 10)
            token = reply.next_page_token
            if not token:
                break
            self.assertLess(pages, 10, "paging does not end")
        self.assertEqual(len(seen), 25)
        self.assertEqual(len(set(seen)), 25)
        self.assertEqual(seen, sorted(seen), "oldest first")
        self.assertGreaterEqual(pages, 3)

        self.lease(4)
        leased = self.dataset.ListImages(
            V1.dataset.ListImagesRequest(state=V1.types.IMAGE_STATE_LEASED, page_size=100),
            timeout=10)
        self.assertEqual(len(leased.images), 4)

    def test_queue_leases_and_labels(self):
        self.add_images(5)
        self.set_classes("WBC", "RBC")
        first = self.lease(3, "ann")
        second = self.lease(3, "bob")
        self.assertEqual(len(first), 3)
        self.assertEqual(len(second), 2)
        ids = [item.image_id for item in list(first) + list(second)]
        self.assertEqual(len(set(ids)), 5, "an image was handed out twice")
        item = first[0]
        self.assertTrue(item.lease_id)
        self.assertEqual(item.model_version, "")
        self.assertEqual(len(item.predictions), 0)
        self.assertGreater(item.lease_expires_unix_ms, time.time() * 1000)

        reply = self.queue.SubmitLabels(V1.queue.SubmitLabelsRequest(
            image_id=item.image_id, lease_id=item.lease_id,
            boxes=[self.box(1, 2, 20, 25.5, "WBC"), self.box(5, 5, 40, 30, "RBC")]), timeout=10)
        self.assertGreater(reply.label_id, 0)
        self.assertEqual(reply.version, 1)
        stored = self.dataset.GetImage(V1.dataset.GetImageRequest(image_id=item.image_id),
                                       timeout=10)
        self.assertEqual(stored.image.state, V1.types.IMAGE_STATE_LABELED)
        self.assertEqual([b.class_name for b in stored.label.boxes], ["WBC", "RBC"])
        self.assertAlmostEqual(stored.label.boxes[0].y2, 25.5)
        self.assertEqual(stored.label.annotator, "ann")

        classes = {c.name: c.box_count for c in
                   self.dataset.GetClasses(V1.dataset.GetClassesRequest(), timeout=10).classes}
        self.assertEqual(classes, {"WBC": 1, "RBC": 1})

    def test_bad_boxes_are_invalid_argument_and_store_nothing(self):
        self.add_images(1)
        self.set_classes("WBC")
        item = self.lease(1)[0]
        good = self.box(1, 1, 10, 10, "WBC")
        for bad in (self.box(1, 1, 10, 10, "Unicorn"), self.box(10, 1, 1, 10, "WBC"),
                    self.box(1, 1, 1, 10, "WBC"), self.box(math.nan, 1, 10, 10, "WBC"),
                    self.box(1, 1, math.inf, 10, "WBC"), self.box(1, 1, 400, 10, "WBC")):
            error = self.assert_rpc_error(
                grpc.StatusCode.INVALID_ARGUMENT, self.queue.SubmitLabels,
                V1.queue.SubmitLabelsRequest(image_id=item.image_id, lease_id=item.lease_id,
                                             boxes=[good, bad]))
            self.assertIn("box", error.details().lower())
        stored = self.dataset.GetImage(V1.dataset.GetImageRequest(image_id=item.image_id),
                                       timeout=10)
        self.assertFalse(stored.HasField("label"))
        self.assertEqual(stored.image.label_versions, 0)
        # The lease survived the refusals.
        self.queue.SubmitLabels(V1.queue.SubmitLabelsRequest(
            image_id=item.image_id, lease_id=item.lease_id, boxes=[good]), timeout=10)

    def test_wrong_lease_is_failed_precondition(self):
        self.add_images(2)
        self.set_classes("WBC")
        first, second = self.lease(2)
        for lease_id in ("no-such-lease", second.lease_id):
            self.assert_rpc_error(
                grpc.StatusCode.FAILED_PRECONDITION, self.queue.SubmitLabels,
                V1.queue.SubmitLabelsRequest(image_id=first.image_id, lease_id=lease_id))
        self.queue.SubmitLabels(V1.queue.SubmitLabelsRequest(
            image_id=first.image_id, lease_id=first.lease_id,
            boxes=[self.box(1, 1, 10, 10, "WBC")]), timeout=10)
        # Reusing the spent lease fails and keeps the stored label.
        self.assert_rpc_error(
            grpc.StatusCode.FAILED_PRECONDITION, self.queue.SubmitLabels,
            V1.queue.SubmitLabelsRequest(image_id=first.image_id, lease_id=first.lease_id))
        stored = self.dataset.GetImage(V1.dataset.GetImageRequest(image_id=first.image_id),
                                       timeout=10)
        self.assertEqual(len(stored.label.boxes), 1)

    def test_requests_missing_fields_are_invalid_argument(self):
        self.add_images(1)
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.queue.GetNextBatch,
                              V1.queue.GetNextBatchRequest(count=1))
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.queue.GetNextBatch,
                              V1.queue.GetNextBatchRequest(count=0, annotator="a"))
        self.assert_rpc_error(grpc.StatusCode.NOT_FOUND, self.dataset.GetImage,
                              V1.dataset.GetImageRequest(image_id=424242))


def main():
    global ARGS, V1
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labelloopd", required=True)
    parser.add_argument("--proto_dir", required=True)
    ARGS, rest = parser.parse_known_args()
    stub_dir = tempfile.mkdtemp(prefix="labelloop-pystubs-")
    try:
        V1 = generate_stubs(ARGS.proto_dir, stub_dir)
        unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
    finally:
        shutil.rmtree(stub_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
