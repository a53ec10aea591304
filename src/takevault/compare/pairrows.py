"""The matched pairs' metrics as rows of numbers, not objects: 96 bytes a pair instead of ~600.

A `FrameMetrics` with its tuples and its slot in a dict costs several hundred bytes; an hour at
25 fps has 90,000 pairs. Here each pair is one row of a few growing arrays, and the summary is
taken from them with the same sums, in the same order, as `metrics.summarize` takes them, so
the report says the same numbers to the last digit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from takevault.compare.metrics import COMPONENTS, FrameMetrics, finite, psnr_from_mse

PLANES = 3
WINDOW = 4096  # rows turned into report entries at once


class PairRows:
    """Pair id, A and B frame indices and FFmpeg's values of each measured pair, in arrival order."""

    def __init__(self) -> None:
        self._n = 0
        self._ids = np.empty(0, dtype=np.int64)
        self._frames = np.empty((0, 2), dtype=np.int64)
        self._values = np.empty((0, 2 * PLANES + 2), dtype=np.float64)  # mse.., ssim.., ssim_all, mse_avg
        self.planes = (0, 0)  # how many MSE and SSIM planes the filters gave
        self.peak = 255.0

    def __len__(self) -> int:
        return self._n

    def add(self, pair_id: int, ia: int, ib: int, m: FrameMetrics) -> None:
        if self._n == len(self._ids):
            size = max(1024, 2 * self._n)
            self._ids = np.resize(self._ids, size)
            self._frames = np.resize(self._frames, (size, 2))
            self._values = np.resize(self._values, (size, 2 * PLANES + 2))
        i = self._n
        self._ids[i] = pair_id
        self._frames[i] = (ia, ib)
        row = self._values[i]
        row[:] = np.nan
        row[: len(m.mse)] = m.mse
        row[PLANES : PLANES + len(m.ssim)] = m.ssim
        row[-2], row[-1] = m.ssim_all, m.mse_avg
        if not self._n:
            self.planes, self.peak = (len(m.mse), len(m.ssim)), m.peak
        self._n += 1

    def select(self, keep: np.ndarray | None = None) -> np.ndarray:
        """Row numbers in pair order, of the pairs whose id `keep` marks (all when None)."""
        ids = self._ids[: self._n]
        order = np.argsort(ids, kind="stable")
        if keep is not None:
            ids = ids[order]
            inside = ids < len(keep)
            order = order[inside][keep[ids[inside]]]
        return order

    def summary(self, rows: np.ndarray) -> dict[str, dict[str, float | None]] | None:
        """FFmpeg's summary lines over `rows`, as `metrics.summarize` gives them."""
        n = len(rows)
        if not n:
            return None
        values = self._values[rows]
        # cumsum adds left to right, as Python's sum over the pairs did: the same float, bit for bit.
        total = np.cumsum(values, axis=0)[-1].tolist()
        mse_planes, ssim_planes = self.planes
        psnr: dict[str, float | None] = {}
        for i, comp in enumerate(COMPONENTS[:mse_planes]):
            psnr[comp] = finite(psnr_from_mse(total[i] / n, self.peak))
        psnr["average"] = finite(psnr_from_mse(total[-1] / n, self.peak))
        ssim: dict[str, float | None] = {}
        for i, comp in enumerate(COMPONENTS[:ssim_planes]):
            ssim[comp] = round(total[PLANES + i] / n, 7)
        ssim["all"] = round(total[-2] / n, 7)
        return {"psnr": psnr, "ssim": ssim}

    def report_rows(self, rows: np.ndarray, a_times: np.ndarray, b_times: np.ndarray) -> list[dict[str, Any]]:
        """The report's per-pair entries (`metrics.frames`), made a window of rows at a time: lists
        of Python numbers for every row at once would be freed in between the entries that stay,
        leaving the heap holey (resident) for the rest of the comparison."""
        out: list[dict[str, Any]] = []
        for lo in range(0, len(rows), WINDOW):
            part = rows[lo : lo + WINDOW]
            ia, ib = self._frames[part, 0], self._frames[part, 1]
            # numpy's rounding, as round() of the numpy times gave before.
            a_time, b_time = np.round(a_times[ia], 6).tolist(), np.round(b_times[ib], 6).tolist()
            values = self._values[part]
            psnr = [finite(psnr_from_mse(v, self.peak)) for v in values[:, -1].tolist()]
            psnr_y = [finite(psnr_from_mse(v, self.peak)) for v in values[:, 0].tolist()]
            ssim, ssim_y = values[:, -2].tolist(), values[:, PLANES].tolist()
            for k, (fa, fb) in enumerate(zip(ia.tolist(), ib.tolist(), strict=True)):
                out.append(
                    {
                        "a_time": a_time[k],
                        "b_time": b_time[k],
                        "a_frame": fa,
                        "b_frame": fb,
                        "psnr": psnr[k],
                        "ssim": ssim[k],
                        "psnr_y": psnr_y[k],
                        "ssim_y": ssim_y[k],
                    }
                )
        return out
