#!/usr/bin/env python3
"""OpenCV's inpainting on the masked samples `clae inpaint --save-masked DIR` wrote.

Reads DIR/original.npy, masked.npy, mask.npy (1 = masked), inpainted.npy (clae's result; all
N x values, float32 in [0, 1], planar C x H x W per row) and DIR/meta.json (the shape, the
mask), runs cv2.inpaint with INPAINT_TELEA and INPAINT_NS (radius --radius, default 3) on each
sample, as 8-bit images as OpenCV requires, and prints each method's mean squared error on the
masked values beside clae's and the masked input's (zeros).

usage: inpaint_opencv.py DIR [--radius R] [--json FILE]
Needs numpy and OpenCV's Python module (Debian: apt-get install python3-opencv).
"""
import argparse
import json
import os
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="the directory clae inpaint --save-masked wrote")
    ap.add_argument("--radius", type=float, default=3.0, help="OpenCV's inpainting radius")
    ap.add_argument("--json", help="also write the table as JSON to this file")
    args = ap.parse_args()
    try:
        import cv2
        import numpy as np
    except ImportError as e:
        sys.exit(f"{sys.argv[0]}: cannot import OpenCV ({e}); install it with "
                 "`apt-get install python3-opencv` (and run with /usr/bin/python3)")

    with open(os.path.join(args.dir, "meta.json")) as f:
        meta = json.load(f)
    c, h, w = meta["channels"], meta["height"], meta["width"]
    load = lambda name: np.load(os.path.join(args.dir, name)).astype(np.float64)
    original, masked, mask, clae = (load(n) for n in
                                    ("original.npy", "masked.npy", "mask.npy", "inpainted.npy"))
    if c not in (1, 3):
        sys.exit(f"{sys.argv[0]}: OpenCV inpaints 1- or 3-channel images, not {c}")
    holes = mask != 0
    if not holes.any():
        sys.exit(f"{sys.argv[0]}: {args.dir}: no masked values")

    def mse(result):
        return float(((result - original)[holes] ** 2).mean())

    methods = {"opencv telea": cv2.INPAINT_TELEA, "opencv navier-stokes": cv2.INPAINT_NS}
    results = {}
    for name, flag in methods.items():
        out = np.empty_like(masked)
        for i in range(masked.shape[0]):
            img = np.clip(masked[i].reshape(c, h, w).transpose(1, 2, 0) * 255.0 + 0.5, 0, 255)
            img = img.astype(np.uint8)
            m = (mask[i].reshape(c, h, w)[0] != 0).astype(np.uint8) * 255
            filled = cv2.inpaint(img if c == 3 else img[:, :, 0], m, args.radius, flag)
            filled = filled.reshape(h, w, c).transpose(2, 0, 1).astype(np.float64) / 255.0
            # keep the known values exactly (OpenCV saw them through 8 bits)
            out[i] = np.where(holes[i], filled.reshape(-1), original[i])
        results[name] = mse(out)
    results["clae"] = mse(clae)
    results["masked input (zeros)"] = mse(masked)

    print(f"{meta['count']} samples of {c}x{h}x{w}, mask {meta['mask']}, "
          f"{int(holes.sum())} masked values; model {meta['model']}")
    print(f"{'method':<24} {'MSE on masked pixels':>20}")
    for name in ("clae", "opencv telea", "opencv navier-stokes", "masked input (zeros)"):
        print(f"{name:<24} {results[name]:>20.5f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"mask": meta["mask"], "count": meta["count"], "mse": results}, f, indent=2)


if __name__ == "__main__":
    main()
