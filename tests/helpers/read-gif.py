"""Decodes an animated GIF with Pillow: every frame as shown (each drawn over the last), as RGB bytes.

Usage: read-gif.py FILE.gif OUT.rgb. Writes the frames one after the other to OUT.rgb and prints JSON
{"width", "height", "frames", "durations" (ms), "loop"}.
"""
import json
import sys

from PIL import Image, ImageSequence


def main(src, out):
    im = Image.open(src)
    durations = []
    with open(out, 'wb') as f:
        for frame in ImageSequence.Iterator(im):
            durations.append(frame.info.get('duration'))
            f.write(frame.convert('RGB').tobytes())
    print(json.dumps({'width': im.width, 'height': im.height, 'frames': len(durations), 'durations': durations, 'loop': im.info.get('loop')}))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
