"""An iCalendar (RFC 5545) file of a day's visits, for the phone's calendar (pure).

Written by hand, no dependency: CRLF line ends, TEXT values escaped (backslash, semicolon,
comma, newline: §3.3.11), lines folded at 75 octets without splitting a UTF-8 character
(§3.1), local times with a TZID and its VTIMEZONE (§3.6.5), UTC DTSTAMP, GEO as
latitude;longitude (§3.8.1.6). A UID is stable for the same visit, so importing a newer
plan of the day updates the events instead of doubling them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

LIMIT = 75  # octets per line, CRLF excluded


def escape(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, newlines as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, each continuation starting
    with one space, never inside a UTF-8 character."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > LIMIT:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _local(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _offset(delta: dt.timedelta | None) -> str:
    minutes = int((delta or dt.timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


@dataclass(frozen=True)
class Event:
    uid: str
    start: dt.datetime  # aware, in the calendar's time zone
    end: dt.datetime
    summary: str
    description: str = ""
    location: str = ""
    geo: tuple[float, float] | None = None  # latitude, longitude (WGS-84)
    url: str = ""


def calendar(
    events: Iterable[Event], *, tzid: str, name: str, stamp: dt.datetime, on: dt.datetime
) -> str:
    """The whole file. `tzid` names the events' zone; its VTIMEZONE gives the offset it has
    at `on` (the day planned: Asia/Shanghai has had no daylight saving since 1991)."""
    offset = _offset(on.utcoffset())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//GridSales//Visit routes//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        f"X-WR-TIMEZONE:{tzid}",
        "BEGIN:VTIMEZONE",
        f"TZID:{tzid}",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        f"TZOFFSETFROM:{offset}",
        f"TZOFFSETTO:{offset}",
        f"TZNAME:{escape(on.tzname() or tzid)}",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART;TZID={tzid}:{_local(event.start)}",
            f"DTEND;TZID={tzid}:{_local(event.end)}",
            f"SUMMARY:{escape(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{escape(event.location)}")
        if event.geo is not None:
            lines.append(f"GEO:{event.geo[0]:.6f};{event.geo[1]:.6f}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
