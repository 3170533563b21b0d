"""Adoption of an enterprise social network (RSE): Bass diffusion, Rogers' categories, usage reports.

Three families of tools, used by M4 (RSE rollout):

- **Bass (1969)**: a population of ``m`` eventual adopters; the hazard of adopting at time ``t``
  among those who have not yet adopted is ``p + q·F(t)``, where ``p`` is innovation (adopting on
  one's own, or because of the launch campaign) and ``q`` imitation (adopting because colleagues
  already have). Closed form ``F(t) = (1 − e^{−(p+q)t}) / (1 + (q/p)·e^{−(p+q)t})``; the
  adoption rate peaks at ``t* = ln(q/p) / (p + q)``. ``p`` and ``q`` are per period: per month
  here, so they are not comparable with the yearly averages of the marketing literature.
- **Rogers (Diffusion of Innovations)**: innovators, early adopters, early and late majority and
  laggards are cut-offs at standard deviations from the mean adoption time. Their shares
  (2.5/13.5/34/34/16%) follow from the definition on a normal curve: they are not a finding.
- **Viva Engage activity user-detail report** (Microsoft Graph, getYammerActivityUserDetail): one
  row per user and report period; a user is *active* with any post, read or like, so readers
  alone make "active users" look high. The course calls *interactive* a user who posted or liked.

Time is measured in periods since launch; period ``t`` covers ``(t − 1, t]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

__all__ = [
    "CHAMPION_SATURATION",
    "CHAMPION_UPLIFT",
    "PERIODS",
    "ROGERS_CATEGORIES",
    "ROGERS_SHARES",
    "BassFit",
    "active_users",
    "adoption_curves",
    "bass_adopters",
    "bass_cumulative",
    "bass_density",
    "champion_q",
    "first_activity",
    "fit_bass",
    "fits_over_time",
    "interactive_users",
    "peak_time",
    "rogers_categories",
    "rollout_forecast",
    "usage_summary",
]

#: The course's assumption on champions: each champion per 100 colleagues of a site raises the
#: site's imitation coefficient q by 25%, up to 2 champions per 100 (q × 1.5); more add nothing.
CHAMPION_UPLIFT = 0.25
CHAMPION_SATURATION = 2.0

#: Report periods of the Viva Engage (Yammer) usage reports, in days.
PERIODS = {"D7": 7, "D30": 30, "D90": 90, "D180": 180}

#: Rogers' adopter categories, earliest first.
ROGERS_CATEGORIES = ("innovators", "early adopters", "early majority", "late majority", "laggards")

#: Shares of each category on a normal curve of adoption times (by definition of the cut-offs).
ROGERS_SHARES = dict(zip(ROGERS_CATEGORIES, (0.025, 0.135, 0.34, 0.34, 0.16), strict=True))

# Column names of the activity user-detail report (Microsoft Graph documentation).
POSTED, READ, LIKED = "Posted Count", "Read Count", "Liked Count"
PERIOD_COLUMN = "Report Period"
REFRESH_COLUMN = "Report Refresh Date"
USER_COLUMN = "User Principal Name"


# --------------------------------------------------------------------------- Bass model


def _check_bass_parameters(p: float, q: float, m: float) -> None:
    for name, value in (("p", p), ("q", q), ("m", m)):
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise TypeError(f"{name} must be a number, got {type(value).__name__}")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value}")
    if p <= 0:
        raise ValueError(f"p (innovation) must be > 0, got {p}: with p = 0 nobody ever starts")
    if q < 0:
        raise ValueError(f"q (imitation) must be ≥ 0, got {q}")
    if m <= 0:
        raise ValueError(f"m (eventual adopters) must be > 0, got {m}")


def _as_times(t: float | Sequence[float] | np.ndarray) -> np.ndarray:
    times = np.asarray(t, dtype=float)
    if np.isnan(times).any():
        raise ValueError("t contains missing values")
    return times


def _share(times: np.ndarray, p: float, q: float) -> np.ndarray:
    """Bass F(t) for t ≥ 0, and 0 before launch."""
    decay = np.exp(-(p + q) * np.clip(times, 0.0, None))
    return (1.0 - decay) / (1.0 + (q / p) * decay)


def bass_cumulative(t, p: float, q: float, m: float = 1.0) -> np.ndarray:
    """Cumulative adopters of the Bass model, ``m·F(t)``.

    Args:
        t: time(s) since launch, in periods (months in this course); negative times give 0.
        p: coefficient of innovation per period (> 0).
        q: coefficient of imitation per period (≥ 0).
        m: number of eventual adopters (> 0); ``m = 1`` gives the share ``F(t)``.

    Returns:
        An array shaped like ``t``: ``m·(1 − e^{−(p+q)t}) / (1 + (q/p)·e^{−(p+q)t})``.

    Raises:
        TypeError: a parameter is not a number.
        ValueError: ``p ≤ 0``, ``q < 0``, ``m ≤ 0``, a parameter is not finite or ``t`` has NaN.
    """
    _check_bass_parameters(p, q, m)
    return m * _share(_as_times(t), p, q)


def bass_density(t, p: float, q: float, m: float = 1.0) -> np.ndarray:
    """Instantaneous adoption rate ``m·f(t)`` (adopters per period at time ``t``).

    ``f(t) = (p + q)²/p · e^{−(p+q)t} / (1 + (q/p)·e^{−(p+q)t})²``, so that
    ``f(t) / (1 − F(t)) = p + q·F(t)``: the Bass hazard.

    Args:
        t: time(s) since launch, in periods; negative times give 0.
        p: coefficient of innovation per period (> 0).
        q: coefficient of imitation per period (≥ 0).
        m: number of eventual adopters (> 0).

    Returns:
        An array shaped like ``t``.

    Raises:
        TypeError, ValueError: as :func:`bass_cumulative`.
    """
    _check_bass_parameters(p, q, m)
    times = _as_times(t)
    decay = np.exp(-(p + q) * np.clip(times, 0.0, None))
    rate = m * (p + q) ** 2 / p * decay / (1.0 + (q / p) * decay) ** 2
    return np.where(times < 0, 0.0, rate)


def bass_adopters(t, p: float, q: float, m: float = 1.0, step: float = 1.0) -> np.ndarray:
    """New adopters per period: those who adopt during ``(t − step, t]``, ``m·[F(t) − F(t − step)]``.

    This is what a monthly usage export counts (first activity in the month), so it is the
    quantity :func:`fit_bass` fits. Summed over periods 1…T it gives ``bass_cumulative(T)``;
    divided by a small ``step`` it tends to :func:`bass_density`.

    Args:
        t: end(s) of the period(s), in periods since launch (1 for the first month).
        p: coefficient of innovation per period (> 0).
        q: coefficient of imitation per period (≥ 0).
        m: number of eventual adopters (> 0).
        step: length of a period, in the unit of ``t`` (> 0).

    Returns:
        An array shaped like ``t``.

    Raises:
        TypeError, ValueError: as :func:`bass_cumulative`, or ``step ≤ 0``.
    """
    _check_bass_parameters(p, q, m)
    if not step > 0:
        raise ValueError(f"step must be > 0, got {step}")
    times = _as_times(t)
    return m * (_share(times, p, q) - _share(times - step, p, q))


def peak_time(p: float, q: float) -> float:
    """Time at which the Bass adoption rate peaks, ``ln(q/p) / (p + q)``.

    Args:
        p: coefficient of innovation (> 0).
        q: coefficient of imitation (≥ 0).

    Returns:
        The peak time in periods; 0.0 when ``q ≤ p`` (imitation too weak for a bell: the rate is
        highest at launch and only falls).

    Raises:
        TypeError, ValueError: as :func:`bass_cumulative`.
    """
    _check_bass_parameters(p, q, 1.0)
    if q <= p:
        return 0.0
    return math.log(q / p) / (p + q)


@dataclass(frozen=True)
class BassFit:
    """Result of :func:`fit_bass`.

    Attributes:
        p: coefficient of innovation per period.
        q: coefficient of imitation per period.
        m: eventual adopters (fitted, or as given).
        r_squared: share of the variance of new adopters per period explained by the fit.
        rmse: root mean squared error, in adopters per period.
        n_periods: number of periods fitted.
        m_fixed: True when ``m`` was given rather than fitted.
    """

    p: float
    q: float
    m: float
    r_squared: float
    rmse: float
    n_periods: int
    m_fixed: bool = False

    @property
    def peak(self) -> float:
        """Peak time of the fitted curve, in periods (see :func:`peak_time`)."""
        return peak_time(self.p, self.q)

    def adopters(self, t) -> np.ndarray:
        """New adopters per period predicted at period end(s) ``t``."""
        return bass_adopters(t, self.p, self.q, self.m)

    def cumulative(self, t) -> np.ndarray:
        """Cumulative adopters predicted at time(s) ``t``."""
        return bass_cumulative(t, self.p, self.q, self.m)

    def __str__(self) -> str:
        m_note = " (given)" if self.m_fixed else ""
        return (
            f"Bass fit over {self.n_periods} periods: p = {self.p:.4f}, q = {self.q:.3f}, "
            f"m = {self.m:,.0f}{m_note}, peak at t = {self.peak:.1f}, R² = {self.r_squared:.3f}"
        )


def _period_starts(times: np.ndarray) -> np.ndarray:
    # The first period is as long as the second (1 month before the first period end).
    first = times[0] - (times[1] - times[0])
    return np.concatenate([[first], times[:-1]])


def _ols_start(new: np.ndarray) -> tuple[float, float, float] | None:
    """Bass's own discrete regression, S_t = a + b·Y_{t−1} + c·Y_{t−1}², as a starting point."""
    before = np.concatenate([[0.0], np.cumsum(new)[:-1]])
    design = np.column_stack([np.ones_like(before), before, before**2])
    try:
        (a, b, c), *_ = np.linalg.lstsq(design, new, rcond=None)
    except np.linalg.LinAlgError:
        return None
    if c >= 0 or b * b - 4 * a * c <= 0:
        return None
    m = (-b - math.sqrt(b * b - 4 * a * c)) / (2 * c)
    if not m > 0:
        return None
    p, q = a / m, -c * m
    if not (p > 0 and q >= 0):
        return None
    return p, q, m


def fit_bass(t, new_adopters, m: float | None = None) -> BassFit:
    """Fit the Bass model to new adopters per period by non-linear least squares.

    The model is :func:`bass_adopters`: ``new_adopters[i]`` counts adoptions during the period
    ending at ``t[i]`` (the first period is taken as long as the second). Several starting points
    (Bass's own regression and a small grid) are tried and the best fit kept.

    Args:
        t: period ends, strictly increasing, in periods since launch (1, 2, … for months).
        new_adopters: adopters per period (≥ 0), same length as ``t``.
        m: eventual adopters if known (for example the headcount of a wave that everyone will
            eventually join); ``None`` fits it as well.

    Returns:
        A :class:`BassFit` with ``p``, ``q``, ``m``, ``r_squared`` and ``rmse``.

    Raises:
        TypeError: ``t`` or ``new_adopters`` is not numeric.
        ValueError: lengths differ, NaN or negative counts, ``t`` not increasing, too few periods
            (4 needed to fit p, q and m; 3 with m given), no growth (fewer than 2 periods with
            adopters), ``m`` smaller than the adopters already counted, or ``m`` not identified
            (the curve has not bent yet: the fit runs to its upper bound; pass ``m``).
    """
    try:
        times = np.asarray(t, dtype=float)
        new = np.asarray(new_adopters, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"t and new_adopters must be numeric: {exc}") from None
    if times.ndim != 1 or new.ndim != 1 or times.shape != new.shape:
        raise ValueError(
            f"t and new_adopters must be 1-D and of the same length, got {times.shape} and {new.shape}"
        )
    if np.isnan(times).any() or np.isnan(new).any():
        raise ValueError("t and new_adopters must not contain missing values")
    if (new < 0).any():
        raise ValueError("new_adopters must be ≥ 0: they count people adopting in a period")
    needed = 3 if m is not None else 4
    if len(new) < needed:
        raise ValueError(
            f"too few periods to identify the Bass model: {len(new)} given, at least {needed} "
            f"needed to fit {'p and q' if m is not None else 'p, q and m'}"
        )
    if (np.diff(times) <= 0).any():
        raise ValueError("t must be strictly increasing")
    total = float(new.sum())
    if np.count_nonzero(new) < 2:
        raise ValueError(
            "no growth to fit: fewer than 2 periods have new adopters, so p and q cannot be told apart"
        )
    if m is not None:
        _check_bass_parameters(0.1, 0.1, m)
        if m < total:
            raise ValueError(f"m = {m:g} is smaller than the {total:g} adopters already counted")

    starts = _period_starts(times)

    def predicted(p: float, q: float, m_value: float) -> np.ndarray:
        return m_value * (_share(times, p, q) - _share(starts, p, q))

    # Fit m as a multiple of the adopters counted so far: parameters of similar scale.
    p_bounds, q_bounds, ratio_bounds = (1e-6, 1.0), (0.0, 5.0), (1.0, 50.0)

    def residuals(theta: np.ndarray) -> np.ndarray:
        if m is None:
            p, q, ratio = theta
            return (predicted(p, q, ratio * total) - new) / total
        p, q = theta
        return (predicted(p, q, m) - new) / total

    guesses = [(p0, q0) for p0 in (0.005, 0.05) for q0 in (0.1, 0.6)]
    ols = _ols_start(new)
    if ols is not None:
        guesses.insert(0, (ols[0], ols[1]))
    best = None
    for p0, q0 in guesses:
        p0 = float(np.clip(p0, p_bounds[0] * 10, p_bounds[1] * 0.9))
        q0 = float(np.clip(q0, q_bounds[0] + 1e-3, q_bounds[1] * 0.9))
        if m is None:
            ratio0 = float(np.clip(ols[2] / total if ols else 1.5, 1.01, ratio_bounds[1] * 0.9))
            x0 = [p0, q0, ratio0]
            bounds = tuple(zip(p_bounds, q_bounds, ratio_bounds, strict=True))
        else:
            x0 = [p0, q0]
            bounds = tuple(zip(p_bounds, q_bounds, strict=True))
        result = least_squares(residuals, x0, bounds=bounds, method="trf", x_scale="jac")
        if best is None or result.cost < best.cost:
            best = result
    if m is None:
        p, q, ratio = (float(v) for v in best.x)
        if ratio > ratio_bounds[1] * 0.98:
            raise ValueError(
                "m cannot be identified from these data: the adoption curve has not bent yet, so "
                "any very large market fits as well; pass m (e.g. the headcount of the wave)"
            )
        m_value = ratio * total
    else:
        p, q = (float(v) for v in best.x)
        m_value = float(m)
    fitted = predicted(p, q, m_value)
    sse = float(((new - fitted) ** 2).sum())
    sst = float(((new - new.mean()) ** 2).sum())
    return BassFit(
        p=p,
        q=q,
        m=m_value,
        r_squared=1.0 - sse / sst if sst > 0 else float("nan"),
        rmse=math.sqrt(sse / len(new)),
        n_periods=len(new),
        m_fixed=m is not None,
    )


def fits_over_time(t, new_adopters, horizons: Sequence[int]) -> pd.DataFrame:
    """Refit the Bass model on the first periods only, as a project team would month after month.

    Args:
        t: period ends, as for :func:`fit_bass`.
        new_adopters: adopters per period, as for :func:`fit_bass`.
        horizons: numbers of first periods to fit on (each ≥ 1 and ≤ ``len(t)``).

    Returns:
        One row per horizon (index ``periods``) with ``p``, ``q``, ``m``, ``peak`` and ``error``
        (the message of the ``ValueError`` when the first periods cannot identify the model, in
        which case the parameters are NaN).

    Raises:
        ValueError: a horizon outside ``1…len(t)``.
    """
    times = np.asarray(t, dtype=float)
    new = np.asarray(new_adopters, dtype=float)
    rows = []
    for horizon in horizons:
        if not 1 <= horizon <= len(times):
            raise ValueError(f"horizons must be between 1 and {len(times)}, got {horizon}")
        try:
            fit = fit_bass(times[:horizon], new[:horizon])
        except ValueError as exc:
            rows.append({"periods": horizon, "error": str(exc)})
        else:
            rows.append(
                {
                    "periods": horizon,
                    "p": fit.p,
                    "q": fit.q,
                    "m": fit.m,
                    "peak": fit.peak,
                    "error": "",
                }
            )
    table = pd.DataFrame(rows, columns=["periods", "p", "q", "m", "peak", "error"])
    return table.set_index("periods")


# --------------------------------------------------------------------------- Rogers


def rogers_categories(adoption_times) -> pd.Series:
    """Rogers' adopter category of each adopter, by cut-offs on the adoption time.

    Cut-offs at mean − 2 sd, mean − sd, mean and mean + sd of the adoption times (sample
    standard deviation): innovators adopt before mean − 2 sd, early adopters before mean − sd,
    the early majority before the mean, the late majority before mean + sd, laggards after.
    Because the categories are defined this way, their shares are 2.5/13.5/34/34/16% whenever
    adoption times are roughly normal: finding those shares in data proves nothing.

    Args:
        adoption_times: numbers (e.g. months since launch) or dates, one per person; missing
            values (people who never adopted) get a missing category.

    Returns:
        An ordered categorical Series named ``"category"`` with the index of ``adoption_times``
        (a fresh RangeIndex for non-Series input).

    Raises:
        TypeError: the times are neither numbers nor dates.
        ValueError: fewer than 2 adoption times, or all equal (no spread to cut).
    """
    times = adoption_times if isinstance(adoption_times, pd.Series) else pd.Series(adoption_times)
    if pd.api.types.is_datetime64_any_dtype(times):
        values = (times - times.min()).dt.total_seconds() / 86_400
    elif pd.api.types.is_bool_dtype(times) or not pd.api.types.is_numeric_dtype(times):
        raise TypeError(f"adoption_times must be numbers or dates, got dtype {times.dtype}")
    else:
        values = times.astype(float)
    known = values.dropna()
    if len(known) < 2:
        raise ValueError(f"at least 2 adoption times are needed, got {len(known)}")
    mean, sd = known.mean(), known.std()
    if not sd > 0:
        raise ValueError("all adoption times are equal: there is no spread to cut into categories")
    cuts = [-np.inf, mean - 2 * sd, mean - sd, mean, mean + sd, np.inf]
    labels = pd.cut(values, bins=cuts, labels=list(ROGERS_CATEGORIES), right=False)
    return pd.Series(labels, index=times.index, name="category")


# --------------------------------------------------------------------------- usage reports


def _period_days(period: str) -> int:
    if not isinstance(period, str) or period.upper() not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    return PERIODS[period.upper()]


def _rows_for_period(report: pd.DataFrame, period: str, needed: Sequence[str]) -> pd.DataFrame:
    if not isinstance(report, pd.DataFrame):
        raise TypeError(f"report must be a DataFrame, got {type(report).__name__}")
    days = _period_days(period)
    missing = [c for c in (*needed, PERIOD_COLUMN) if c not in report.columns]
    if missing:
        raise ValueError(
            f"the report lacks column(s) {', '.join(missing)}: expected the activity user-detail "
            "layout (Posted Count, Read Count, Liked Count, Report Period, …)"
        )
    # Graph writes the period as a number of days ("30"); accept "D30" too. Normalise the few
    # distinct values only: string operations on every row would dominate the run time.
    held = {v: str(v).upper().removeprefix("D") for v in pd.unique(report[PERIOD_COLUMN])}
    rows = report[report[PERIOD_COLUMN].isin([v for v, d in held.items() if d == str(days)])]
    if rows.empty and len(report):
        found = [f"D{v}" for v in sorted(set(held.values()), key=lambda v: (len(v), v))]
        raise ValueError(f"the report has no {period.upper()} rows; it holds {', '.join(found)}")
    return rows


def _count_users(rows: pd.DataFrame, mask: pd.Series, name: str) -> pd.Series:
    counted = rows.loc[mask, USER_COLUMN].groupby(rows.loc[mask, REFRESH_COLUMN]).nunique()
    every = pd.Index(sorted(rows[REFRESH_COLUMN].unique()), name=REFRESH_COLUMN)
    return counted.reindex(every, fill_value=0).astype("int64").rename(name)


def active_users(report: pd.DataFrame, period: str = "D30") -> pd.Series:
    """Active users as the report defines them: anyone who posted, read or liked in the period.

    Reading counts, so a colleague who opened the feed once is "active": this is the figure
    that flatters an RSE. Compare with :func:`interactive_users`.

    Args:
        report: activity user-detail report (columns ``Report Refresh Date``,
            ``User Principal Name``, ``Posted Count``, ``Read Count``, ``Liked Count``,
            ``Report Period``; other columns are ignored).
        period: ``"D7"``, ``"D30"``, ``"D90"`` or ``"D180"``; only rows of that report period count.

    Returns:
        Distinct active users per ``Report Refresh Date`` (a Series named ``active_users``, one
        entry per date in the report's rows for that period, zeros included; a single export gives
        one entry: take ``.iloc[0]``).

    Raises:
        TypeError: ``report`` is not a DataFrame.
        ValueError: unknown period, missing columns, or no rows for that period.
    """
    rows = _rows_for_period(report, period, (USER_COLUMN, REFRESH_COLUMN, POSTED, READ, LIKED))
    mask = (rows[POSTED].fillna(0) > 0) | (rows[READ].fillna(0) > 0) | (rows[LIKED].fillna(0) > 0)
    return _count_users(rows, mask, "active_users")


def interactive_users(report: pd.DataFrame, period: str = "D30") -> pd.Series:
    """Interactive users: those who posted (a post or reply) or liked in the period; reading alone is not enough.

    Args:
        report: activity user-detail report, as for :func:`active_users`.
        period: ``"D7"``, ``"D30"``, ``"D90"`` or ``"D180"``.

    Returns:
        As :func:`active_users`, a Series named ``interactive_users``.

    Raises:
        TypeError: ``report`` is not a DataFrame.
        ValueError: unknown period, missing columns, or no rows for that period.
    """
    rows = _rows_for_period(report, period, (USER_COLUMN, REFRESH_COLUMN, POSTED, LIKED))
    mask = (rows[POSTED].fillna(0) > 0) | (rows[LIKED].fillna(0) > 0)
    return _count_users(rows, mask, "interactive_users")


def usage_summary(report: pd.DataFrame, headcount: int, period: str = "D30") -> pd.DataFrame:
    """Active and interactive users per refresh date, with reach and engagement.

    Reach and engagement follow SWOOP Analytics' definitions, moved from one post to the whole
    network (the course's approximation): reach = active users / all employees (who saw
    something), engagement = interactive users / active users (of those who saw, who reacted).

    Args:
        report: activity user-detail report with ``Report Refresh Date``.
        headcount: all employees who could use the network (> 0).
        period: ``"D7"``, ``"D30"``, ``"D90"`` or ``"D180"``.

    Returns:
        A DataFrame indexed by ``Report Refresh Date`` with columns ``active``,
        ``interactive``, ``reach`` and ``engagement`` (shares between 0 and 1; engagement is NaN
        when nobody was active).

    Raises:
        TypeError, ValueError: as :func:`active_users`, or ``headcount ≤ 0``.
    """
    if isinstance(headcount, bool) or not isinstance(headcount, int | np.integer) or headcount <= 0:
        raise ValueError(f"headcount must be a positive whole number, got {headcount!r}")
    table = pd.concat([active_users(report, period), interactive_users(report, period)], axis=1)
    table.columns = ["active", "interactive"]
    table["reach"] = table["active"] / headcount
    table["engagement"] = table["interactive"] / table["active"].where(table["active"] > 0)
    return table


def first_activity(report: pd.DataFrame) -> pd.Series:
    """Each user's adoption date: the first refresh date on which the report shows any activity.

    In a series of monthly D30 exports this is the month of a user's first post, read or like;
    users never active are absent. Note that a read is enough: this is adoption as the platform
    counts it, not participation.

    Args:
        report: monthly activity user-detail exports (``Report Refresh Date``,
            ``User Principal Name``, ``Posted Count``, ``Read Count``, ``Liked Count``).

    Returns:
        A Series indexed by ``User Principal Name``, named ``first_activity``, of refresh dates.

    Raises:
        TypeError: ``report`` is not a DataFrame.
        ValueError: missing columns.
    """
    if not isinstance(report, pd.DataFrame):
        raise TypeError(f"report must be a DataFrame, got {type(report).__name__}")
    needed = (REFRESH_COLUMN, USER_COLUMN, POSTED, READ, LIKED)
    missing = [c for c in needed if c not in report.columns]
    if missing:
        raise ValueError(f"the report lacks column(s) {', '.join(missing)}")
    any_activity = (report[POSTED] > 0) | (report[READ] > 0) | (report[LIKED] > 0)
    first = report.loc[any_activity].groupby(USER_COLUMN)[REFRESH_COLUMN].min()
    return first.rename("first_activity")


def adoption_curves(
    employees: pd.DataFrame, report: pd.DataFrame, by: str = "site"
) -> pd.DataFrame:
    """New adopters per month since launch, per group of employees that launched together.

    Month 1 is the group's launch month (from ``rollout_date``); the curve runs to the last
    refresh date of the report, with zeros for months without new adopters. This is the input
    :func:`fit_bass` expects.

    Args:
        employees: one row per employee with ``user_principal_name``, ``rollout_date`` and the
            ``by`` column.
        report: monthly activity user-detail exports (see :func:`first_activity`).
        by: column of ``employees`` to group by (``"site"`` or ``"rollout_wave"``); every group
            must have a single rollout date.

    Returns:
        A DataFrame with columns ``by``, ``month`` (1, 2, …), ``new_adopters`` and
        ``headcount`` (employees of the group), sorted by group then month.

    Raises:
        ValueError: missing columns, or a group whose employees launched on different dates.
    """
    needed = ("user_principal_name", "rollout_date", by)
    missing = [c for c in needed if c not in employees.columns]
    if missing:
        raise ValueError(f"employees lacks column(s) {', '.join(missing)}")
    launches = employees.groupby(by)["rollout_date"].nunique()
    if (launches > 1).any():
        mixed = ", ".join(map(str, launches[launches > 1].index[:3]))
        raise ValueError(
            f"employees of {mixed} launched on different dates: group by a column whose groups "
            "launched together (site or rollout_wave)"
        )
    first = first_activity(report)
    last_month = report[REFRESH_COLUMN].max().to_period("M")
    people = employees[[by, "rollout_date"]].copy()
    people["adopted"] = employees["user_principal_name"].map(first).dt.to_period("M")
    launch = people["rollout_date"].dt.to_period("M")
    # Month 1 is the launch month: period difference in months, plus one.
    people["month"] = (people["adopted"] - launch).map(lambda d: d.n + 1, na_action="ignore")
    frames = []
    for group, rows in people.groupby(by, sort=True):
        observed = (last_month - launch.loc[rows.index[0]]).n + 1
        counts = rows["month"].dropna().astype(int).value_counts()
        frames.append(
            pd.DataFrame(
                {
                    by: group,
                    "month": np.arange(1, observed + 1),
                    "new_adopters": counts.reindex(range(1, observed + 1), fill_value=0).to_numpy(),
                    "headcount": len(rows),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- rollout planning


def champion_q(
    q: float,
    champions: float,
    headcount: float,
    uplift: float = CHAMPION_UPLIFT,
    saturation: float = CHAMPION_SATURATION,
) -> float:
    """Imitation coefficient of a site with champions, under the course's assumption.

    Champions make the network visible next to each colleague, which is imitation: the course
    assumes ``q × (1 + uplift × min(champions per 100 colleagues, saturation))``. This is a
    teaching assumption, not a published estimate: change it and see how much the plan depends
    on it.

    Args:
        q: imitation coefficient without champions (≥ 0).
        champions: number of champions at the site (≥ 0).
        headcount: employees of the site (> 0).
        uplift: relative rise of q per champion per 100 colleagues (≥ 0).
        saturation: champions per 100 colleagues beyond which more add nothing (≥ 0).

    Returns:
        The site's q.

    Raises:
        ValueError: a negative value, or ``headcount ≤ 0``.
    """
    if q < 0 or champions < 0 or uplift < 0 or saturation < 0:
        raise ValueError("q, champions, uplift and saturation must be ≥ 0")
    if not headcount > 0:
        raise ValueError(f"headcount must be > 0, got {headcount}")
    per_100 = 100.0 * champions / headcount
    return float(q * (1.0 + uplift * min(per_100, saturation)))


def rollout_forecast(
    sites: pd.DataFrame,
    p: float,
    q: float,
    months: int,
    ceiling: float = 1.0,
    retention: float = 1.0,
    interactive_share: float = 0.4,
    uplift: float = CHAMPION_UPLIFT,
    saturation: float = CHAMPION_SATURATION,
) -> pd.DataFrame:
    """Monthly forecast of adopters, active and interactive users of a rollout by site waves.

    Each site follows its own Bass curve from its launch month, with ``m = ceiling × headcount``
    and its q raised by its champions (:func:`champion_q`). Active users (D30) are the adopters
    still active in the month (``retention`` of them); interactive users are
    ``interactive_share`` of the active ones. All three are the course's simplifications: calibrate
    them on your own export before trusting the forecast.

    Args:
        sites: one row per site with columns ``site``, ``headcount``, ``launch_month`` (0 = the
            programme's first month) and optionally ``champions`` (0 when absent).
        p: monthly innovation coefficient (> 0).
        q: monthly imitation coefficient without champions (≥ 0).
        months: months to forecast (≥ 1); month 1 is the programme's first month.
        ceiling: share of a site's employees who eventually adopt (0–1].
        retention: share of adopters active in a given month (0–1].
        interactive_share: share of active users who post or like (0–1).
        uplift: see :func:`champion_q`.
        saturation: see :func:`champion_q`.

    Returns:
        A DataFrame with one row per month and site: ``month``, ``site``, ``adopters``,
        ``active``, ``interactive`` (floats: expected numbers of people).

    Raises:
        ValueError: missing columns, duplicate sites, negative launch months or headcounts, or
            shares outside their range.
        TypeError, ValueError: bad p or q, as :func:`bass_cumulative`.
    """
    if not isinstance(sites, pd.DataFrame):
        raise TypeError(f"sites must be a DataFrame, got {type(sites).__name__}")
    missing = [c for c in ("site", "headcount", "launch_month") if c not in sites.columns]
    if missing:
        raise ValueError(f"sites lacks column(s) {', '.join(missing)}")
    if sites["site"].duplicated().any():
        raise ValueError("each site must appear once in sites")
    if (sites["headcount"] <= 0).any() or (sites["launch_month"] < 0).any():
        raise ValueError("headcounts must be > 0 and launch months ≥ 0")
    if isinstance(months, bool) or not isinstance(months, int | np.integer) or months < 1:
        raise ValueError(f"months must be a whole number ≥ 1, got {months!r}")
    for name, value in (("ceiling", ceiling), ("retention", retention)):
        if not 0 < value <= 1:
            raise ValueError(f"{name} must be in (0, 1], got {value}")
    if not 0 <= interactive_share <= 1:
        raise ValueError(f"interactive_share must be in [0, 1], got {interactive_share}")
    _check_bass_parameters(p, q, 1.0)
    champions = sites["champions"] if "champions" in sites.columns else pd.Series(0, sites.index)
    month = np.arange(1, months + 1, dtype=float)
    frames = []
    for (_, row), crew in zip(sites.iterrows(), champions, strict=True):
        site_q = champion_q(q, float(crew), float(row["headcount"]), uplift, saturation)
        adopters = bass_cumulative(
            month - row["launch_month"], p, site_q, ceiling * row["headcount"]
        )
        frames.append(
            pd.DataFrame({"month": month.astype(int), "site": row["site"], "adopters": adopters})
        )
    table = pd.concat(frames, ignore_index=True)
    table["active"] = retention * table["adopters"]
    table["interactive"] = interactive_share * table["active"]
    return table
