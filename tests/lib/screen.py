#!/usr/bin/env python3
"""tests/lib/screen.py: QEMU's screendump (a binary PPM, P6) for the tests.

  screen.py share FILE RRGGBB     per mille of the pixels that are RRGGBB
  screen.py differ A B            how many pixels differ between two dumps
  screen.py png PPM PNG           the dump as a PNG (zlib, no other module)
  screen.py mon SOCKET COMMAND    COMMAND to QEMU's human monitor on the unix
                                  SOCKET (-monitor unix:SOCKET,server,nowait);
                                  returns once it is done (the next prompt)
"""
import re
import socket
import struct
import sys
import zlib


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise SystemExit("%s: not an 8-bit P6 PPM" % path)
    w, h = int(fields[1]), int(fields[2])
    pix = data[pos + 1:pos + 1 + 3 * w * h]
    if len(pix) != 3 * w * h:
        raise SystemExit("%s: short PPM" % path)
    return w, h, pix


def pixels(pix):
    return re.findall(b"(?s)...", pix)


def share(path, rgb):
    _, _, pix = read_ppm(path)
    return pixels(pix).count(bytes.fromhex(rgb)) * 1000 // (len(pix) // 3)


def differ(a, b):
    wa, ha, pa = read_ppm(a)
    wb, hb, pb = read_ppm(b)
    if (wa, ha) != (wb, hb):
        return wa * ha
    if pa == pb:
        return 0
    return sum(1 for x, y in zip(pixels(pa), pixels(pb)) if x != y)


def png(src, dst):
    w, h, pix = read_ppm(src)
    raw = b"".join(b"\0" + pix[y * 3 * w:(y + 1) * 3 * w] for y in range(h))

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))

    with open(dst, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def mon(path, command, timeout=60):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    got = b""

    def prompt():
        nonlocal got
        while b"(qemu) " not in got:
            b = s.recv(4096)
            if not b:
                raise SystemExit("mon: the monitor closed")
            got += b
        out, got = got.split(b"(qemu) ", 1)
        return out

    prompt()
    s.sendall(command.encode() + b"\n")
    out = prompt()
    s.close()
    # the monitor echoes the line with terminal escapes; what follows is its answer
    return out.decode(errors="replace").split("\n", 1)[-1].replace("\r", "")


def main(argv):
    if len(argv) == 4 and argv[1] == "share":
        print(share(argv[2], argv[3]))
    elif len(argv) == 4 and argv[1] == "differ":
        print(differ(argv[2], argv[3]))
    elif len(argv) == 4 and argv[1] == "mon":
        sys.stdout.write(mon(argv[2], argv[3]))
    elif len(argv) == 4 and argv[1] == "png":
        png(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
