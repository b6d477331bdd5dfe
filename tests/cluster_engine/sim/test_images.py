import pytest

from cluster_engine.sim import images


@pytest.mark.parametrize(
    ("text", "repository", "tag"),
    [
        ("nginx", "docker.io/library/nginx", "latest"),
        ("nginx:1.27", "docker.io/library/nginx", "1.27"),
        ("polinux/stress", "docker.io/polinux/stress", "latest"),
        ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause", "3.10"),
        ("localhost:5000/app:v1", "localhost:5000/app", "v1"),
    ],
)
def test_references_are_canonicalised(text, repository, tag):
    ref = images.parse_ref(text)
    assert (ref.repository, ref.tag) == (repository, tag)


def test_unknown_tags_and_images_are_not_found():
    assert images.lookup(images.parse_ref("nginx:1.27")) is not None
    assert images.lookup(images.parse_ref("nginx:1.99.99")) is None
    assert images.lookup(images.parse_ref("ngnix")) is None


def _program(command=None, args=None, image="busybox"):
    return images.program_for(images.lookup(images.parse_ref(image)), command, args)


def test_sleep_then_exit_code():
    program = _program(["sh", "-c", "echo a; sleep 5; exit 2"])
    assert (program.exit_at, program.exit_code) == (5, 2)
    assert program.logs_until(1) == [(0, "a")]


def test_servers_run_forever_and_shells_exit():
    assert _program(image="nginx").exit_at == images.FOREVER
    assert _program(image="nginx").server
    assert _program(image="busybox").exit_at == 0


def test_files_follow_the_script():
    program = _program(["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"])
    assert "/tmp/healthy" in program.files_at(10)
    assert "/tmp/healthy" not in program.files_at(31)
    assert program.exit_at == 630


def test_missing_executable_is_a_start_error():
    assert "executable file not found" in _program(["ngnix"], image="nginx").start_error


def test_stress_memory_from_its_arguments():
    program = _program(
        ["stress"], ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"], image="polinux/stress"
    )
    assert program.memory == 250 * 1024 * 1024


def test_http_probe_paths():
    nginx = images.lookup(images.parse_ref("nginx"))
    program = _program(image="nginx")
    assert images.serves(nginx, program, 80, "/") == (True, "")
    assert images.serves(nginx, program, 80, "/healthz") == (False, "statuscode: 404")
    assert images.serves(nginx, program, 8080, "/") == (False, "connection refused")
