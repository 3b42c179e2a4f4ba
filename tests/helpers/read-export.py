"""Reads a Chronoface export with Python's standard library and Pillow only; prints every row as JSON.

Usage: read-export.py OUT_DIR imagefolder|csv|webdataset. Each row gets _image = [width, height, mode] (the image
fully decoded) and _transparent = how many pixels have alpha 0. Any unreadable file stops it with an error.
"""
import csv
import io
import json
import os
import sys
import tarfile

from PIL import Image


def image_info(src):
    im = Image.open(src)
    im.load()
    transparent = 0
    if im.mode in ('RGBA', 'LA'):
        transparent = sum(1 for a in im.getchannel('A').getdata() if a == 0)
    return [im.width, im.height, im.mode], transparent


def add(rows, row, src):
    row['_image'], row['_transparent'] = image_info(src)
    rows.append(row)


def main(out, fmt):
    rows = []
    if fmt == 'imagefolder':
        for folder in sorted(os.listdir(out)):
            meta = os.path.join(out, folder, 'metadata.jsonl')
            if not os.path.isfile(meta):
                continue
            with open(meta, encoding='utf-8') as f:
                for line in f:
                    row = json.loads(line)
                    row['_folder'] = folder
                    add(rows, row, os.path.join(out, folder, row['file_name']))
    elif fmt == 'csv':
        with open(os.path.join(out, 'labels.csv'), newline='', encoding='utf-8') as f:
            for row in csv.DictReader(f):
                add(rows, row, os.path.join(out, row['path']))
    elif fmt == 'webdataset':
        for name in sorted(os.listdir(out)):
            if not name.endswith('.tar'):
                continue
            samples = {}
            with tarfile.open(os.path.join(out, name)) as t:
                for m in t.getmembers():
                    key, ext = m.name.split('.', 1)
                    samples.setdefault(key, {})[ext] = t.extractfile(m).read()
            for key, files in samples.items():
                row = json.loads(files.pop('json'))
                (ext, data), = files.items()
                row['_key'], row['_ext'], row['_shard'] = key, ext, name
                row['_shard_bytes'] = os.path.getsize(os.path.join(out, name))
                add(rows, row, io.BytesIO(data))
    else:
        raise SystemExit('unknown format ' + fmt)
    json.dump(rows, sys.stdout)


main(sys.argv[1], sys.argv[2])
