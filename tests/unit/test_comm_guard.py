"""Malformed comm messages to a real (in-process) IPython kernel answer no traceback."""

from __future__ import annotations

import pytest

from course.widgets.a11y import guard_comm_handlers


@pytest.fixture
def kernel():
    from ipykernel.inprocess.manager import InProcessKernelManager

    manager = InProcessKernelManager()
    manager.start_kernel()
    yield manager.kernel
    manager.shutdown_kernel()


MALFORMED = [
    {"content": {"target_name": "jupyter.widget.control"}},  # no comm_id
    {"content": "not a dict"},
    {"content": {"comm_id": 1, "target_name": None}},
    {
        "header": {},
        "parent_header": {},
        "metadata": {},
        "buffers": [],
        "content": {
            "comm_id": "c1",
            "target_name": "jupyter.widget",
            "data": {"state": {"_model_name": "NoSuchModel"}, "buffer_paths": "x"},
        },
    },
]


@pytest.mark.parametrize("message", MALFORMED)
def test_malformed_comm_messages_answer_no_traceback(kernel, capfd, message):
    """Does the guarded kernel drop a malformed comm_open/comm_msg without any traceback?"""
    import ipywidgets  # noqa: F401 - registers the widget comm targets

    assert guard_comm_handlers(kernel)
    for kind in ("comm_open", "comm_msg", "comm_close"):
        kernel.shell_handlers[kind](None, [], message)
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and ".py" not in out


def test_unguarded_kernel_raises_on_the_same_message(kernel):
    """Without the guard, does the same message reach the handler and fail (the test bites)?"""
    with pytest.raises(Exception):  # noqa: B017 - any failure is the point
        kernel.shell_handlers["comm_open"](None, [], MALFORMED[0])
