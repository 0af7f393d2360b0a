"""Draw the three addons' icons (static/description/icon.png, 140x140) with Pillow.

Flat, one colour per addon and one glyph each, so they stay apart in Odoo's Apps screen
and home menu: an invoice with a clock (dunning_ai), a speech bubble (dunning_ai_sms),
a rising bar chart (dunning_ai_reports). Drawn at 4x and reduced for smooth edges.
"""
from pathlib import Path

from PIL import Image, ImageDraw

PROJECT_DIR = Path(__file__).resolve().parent.parent
SIZE, SCALE = 140, 4
WHITE = (255, 255, 255, 255)


def _canvas(colour):
    s = SIZE * SCALE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, s - 1, s - 1), radius=26 * SCALE, fill=colour)
    return img, draw


def _px(*values):
    return tuple(v * SCALE for v in values)


def dunning_ai():
    colour = (35, 88, 150, 255)
    img, draw = _canvas(colour)
    draw.rounded_rectangle(_px(34, 24, 96, 112), radius=6 * SCALE, fill=WHITE)
    for y in (42, 56, 70):
        draw.rounded_rectangle(_px(46, y, 84, y + 6), radius=3 * SCALE, fill=colour)
    draw.ellipse(_px(70, 70, 118, 118), fill=colour)
    draw.ellipse(_px(76, 76, 112, 112), fill=WHITE)
    draw.line(_px(94, 94, 94, 82), fill=colour, width=5 * SCALE)
    draw.line(_px(94, 94, 103, 99), fill=colour, width=5 * SCALE)
    return img


def dunning_ai_sms():
    colour = (33, 140, 110, 255)
    img, draw = _canvas(colour)
    draw.rounded_rectangle(_px(24, 30, 116, 96), radius=16 * SCALE, fill=WHITE)
    draw.polygon(_px(44, 92, 40, 116, 66, 94), fill=WHITE)
    for x in (48, 70, 92):
        draw.ellipse(_px(x - 7, 56, x + 7, 70), fill=colour)
    return img


def dunning_ai_reports():
    colour = (124, 72, 130, 255)
    img, draw = _canvas(colour)
    for x, top in ((30, 78), (54, 62), (78, 46), (102, 30)):
        draw.rounded_rectangle(_px(x - 8, top, x + 8, 112), radius=3 * SCALE, fill=WHITE)
    draw.line(_px(22, 116, 118, 116), fill=WHITE, width=4 * SCALE)
    return img


def main():
    for name, draw in (("dunning_ai", dunning_ai), ("dunning_ai_sms", dunning_ai_sms),
                       ("dunning_ai_reports", dunning_ai_reports)):
        path = PROJECT_DIR / name / "static" / "description" / "icon.png"
        draw().resize((SIZE, SIZE), Image.LANCZOS).save(path, optimize=True)
        print(f"written: {path.relative_to(PROJECT_DIR)}")


if __name__ == "__main__":
    main()
