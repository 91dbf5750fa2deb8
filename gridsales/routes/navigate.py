"""Links that open a stop in Amap (高德) or Baidu Maps (百度) on the phone, for navigation.

Both apps read coordinates in their own system: Amap in GCJ-02, Baidu in BD-09 (said by
`coord_type=bd09ll`). GridSales stores WGS-84, so each link converts (gridsales.grids.crs).
Six decimals are about 0.1 m.
"""

from __future__ import annotations

from urllib.parse import quote

from gridsales.grids import crs


def _q(text: str) -> str:
    return quote(text, safe="")


def amap_url(lat: float, lng: float, name: str) -> str:
    """A marker in Amap (app if installed, else the web page), GCJ-02 `position=LNG,LAT`."""
    g_lng, g_lat = crs.wgs84_to_gcj02(lng, lat)
    return (
        f"https://uri.amap.com/marker?position={g_lng:.6f},{g_lat:.6f}&name={_q(name)}"
        "&src=gridsales&coordinate=gaode&callnative=1"
    )


def baidu_url(lat: float, lng: float, name: str, content: str = "") -> str:
    """A marker in Baidu Maps, BD-09 `location=LAT,LNG`."""
    b_lng, b_lat = crs.wgs84_to_bd09(lng, lat)
    return (
        f"https://api.map.baidu.com/marker?location={b_lat:.6f},{b_lng:.6f}"
        f"&title={_q(name)}&content={_q(content or name)}&output=html&coord_type=bd09ll"
        "&src=webapp.gridsales.routes"
    )
