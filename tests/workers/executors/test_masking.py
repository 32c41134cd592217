"""The masking rule for secret header values in request logs."""

from __future__ import annotations

import pytest

from workers.executors.masking import mask_headers, mask_value


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("Bearer abc123", "Bea***23"),
        ("abcdef", "******"),
        ("abc", "***"),
        ("", ""),
        ("abcdefg", "abc***fg"),
    ],
)
def test_mask_value_follows_compat_rule(value: str, masked: str) -> None:
    assert mask_value(value) == masked


def test_mask_headers_masks_known_names_in_any_case() -> None:
    headers = {
        "AUTHORIZATION": "Bearer abc123",
        "X-Api-Key": "key-1234567",
        "api-key": "short",
        "X-Auth-Token": "tok_9876543",
        "Content-Type": "application/json",
    }
    assert mask_headers(headers) == {
        "AUTHORIZATION": "Bea***23",
        "X-Api-Key": "key***67",
        "api-key": "*****",
        "X-Auth-Token": "tok***43",
        "Content-Type": "application/json",
    }


def test_mask_headers_masks_extra_secret_headers() -> None:
    masked = mask_headers({"X-Notion-Secret": "secret_value_1", "Accept": "*/*"}, extra={"x-notion-secret"})
    assert masked == {"X-Notion-Secret": "sec***_1", "Accept": "*/*"}


def test_mask_headers_leaves_input_untouched() -> None:
    headers = {"Authorization": "Bearer abc123"}
    mask_headers(headers)
    assert headers == {"Authorization": "Bearer abc123"}
