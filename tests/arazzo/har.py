"""A check of the HTTP Archive 1.2 format (W3C Web Performance WG draft "HTTP Archive
(HAR) format", version 1.2): the members each object must have and their types.
"""

from datetime import datetime

NUMBER = (int, float)


def _require(objekt, where, members):
    assert isinstance(objekt, dict), f"{where} must be an object"
    for name, kind in members.items():
        assert name in objekt, f"{where}.{name} is missing"
        assert isinstance(objekt[name], kind), f"{where}.{name} must be {kind}, is {objekt[name]!r}"
        if kind is NUMBER or kind is int:
            assert not isinstance(objekt[name], bool), f"{where}.{name} must be a number"


def _name_values(items, where):
    for index, item in enumerate(items):
        _require(item, f"{where}[{index}]", {"name": str, "value": str})


def assert_har_1_2(document):
    """Fails with the first member that the HAR 1.2 format requires and `document` lacks."""
    _require(document, "root", {"log": dict})
    log = document["log"]
    _require(log, "log", {"version": str, "creator": dict, "entries": list})
    assert log["version"] == "1.2", log["version"]
    _require(log["creator"], "log.creator", {"name": str, "version": str})
    for index, entry in enumerate(log["entries"]):
        where = f"log.entries[{index}]"
        _require(
            entry,
            where,
            {
                "startedDateTime": str,
                "time": NUMBER,
                "request": dict,
                "response": dict,
                "cache": dict,
                "timings": dict,
            },
        )
        # ISO 8601 with a time zone, e.g. 2009-04-16T12:07:25.123+01:00.
        started = datetime.fromisoformat(entry["startedDateTime"].replace("Z", "+00:00"))
        assert started.tzinfo is not None, f"{where}.startedDateTime has no time zone"
        request = entry["request"]
        _require(
            request,
            f"{where}.request",
            {
                "method": str,
                "url": str,
                "httpVersion": str,
                "cookies": list,
                "headers": list,
                "queryString": list,
                "headersSize": int,
                "bodySize": int,
            },
        )
        _name_values(request["headers"], f"{where}.request.headers")
        _name_values(request["queryString"], f"{where}.request.queryString")
        if "postData" in request:
            _require(request["postData"], f"{where}.request.postData", {"mimeType": str})
        response = entry["response"]
        _require(
            response,
            f"{where}.response",
            {
                "status": int,
                "statusText": str,
                "httpVersion": str,
                "cookies": list,
                "headers": list,
                "content": dict,
                "redirectURL": str,
                "headersSize": int,
                "bodySize": int,
            },
        )
        _name_values(response["headers"], f"{where}.response.headers")
        _require(response["content"], f"{where}.response.content", {"size": int, "mimeType": str})
        _require(
            entry["timings"],
            f"{where}.timings",
            {"send": NUMBER, "wait": NUMBER, "receive": NUMBER},
        )
        for phase in ("send", "wait", "receive"):
            # -1 is allowed only for the optional phases (blocked, dns, connect, ssl).
            assert entry["timings"][phase] >= 0, f"{where}.timings.{phase} is negative"


def header(headers, name):
    """The values of a header in a HAR name/value list, matching the name case-insensitively."""
    return [item["value"] for item in headers if item["name"].lower() == name.lower()]
