"""QR codes of signboards: they encode the absolute public URL
(settings.PUBLIC_BASE_URL + /p/<code>/), so a printed sign works from any phone."""

import base64
import io

import segno


def make(url):
    return segno.make(url, error="m")


def svg(url, scale=4):
    buffer = io.BytesIO()
    make(url).save(buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue()


def png(url, scale=8):
    buffer = io.BytesIO()
    make(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def png_data_uri(url, scale=8):
    return "data:image/png;base64," + base64.b64encode(png(url, scale)).decode()
