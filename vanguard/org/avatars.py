"""Generated portrait placeholders for fictional people: a coloured card with
the surname, so the demo's boards and signboards show real images."""

import io
from functools import lru_cache

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

FONT_PATHS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
COLOURS = ["#c8102e", "#9e0c24", "#b5651d", "#2f6f8f", "#3d7a4a", "#6b4c9a", "#8c6d1f"]


@lru_cache(maxsize=4)
def _font(size):
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def avatar(name, index=0, size=(240, 300)):
    image = Image.new("RGB", size, COLOURS[index % len(COLOURS)])
    draw = ImageDraw.Draw(image)
    draw.ellipse((60, 40, 180, 160), fill="#f3d9c6")
    draw.rounded_rectangle((30, 170, 210, 320), radius=60, fill="#1f2a44")
    text = name[:1]
    font = _font(72)
    box = draw.textbbox((0, 0), text, font=font)
    draw.text(((size[0] - (box[2] - box[0])) / 2, 60 - box[1] + 8), text, fill="#9e0c24", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name=f"avatar-{index}.jpg")
