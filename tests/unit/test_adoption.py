"""Unit tests of course.adoption: Bass model, fit, Rogers' categories, usage-report counts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from course import adoption

P, Q, M = 0.02, 0.35, 10_000


# --------------------------------------------------------------------------- closed form


def test_cumulative_matches_closed_form():
    """Does bass_cumulative equal m(1 − e^{−(p+q)t}) / (1 + (q/p)e^{−(p+q)t}) at hand-picked times?"""
    for t in (0.0, 1.0, 5.0, 12.0, 40.0):
        e = math.exp(-(P + Q) * t)
        expected = M * (1 - e) / (1 + (Q / P) * e)
        assert adoption.bass_cumulative(t, P, Q, M) == pytest.approx(expected, rel=1e-12)


def test_cumulative_starts_at_zero_and_saturates_at_m():
    """Is m·F(0) zero, F increasing, and F(t) close to m for large t?"""
    t = np.linspace(0, 60, 601)
    cum = adoption.bass_cumulative(t, P, Q, M)
    assert cum[0] == 0
    assert (np.diff(cum) > 0).all()
    assert adoption.bass_cumulative(200, P, Q, M) == pytest.approx(M, rel=1e-9)


def test_cumulative_is_zero_before_launch():
    """Does the model count nobody at negative times?"""
    assert adoption.bass_cumulative([-3.0, -0.5], P, Q, M).tolist() == [0.0, 0.0]


def test_density_satisfies_hazard_identity():
    """Does f/(1 − F) = p + qF hold along the curve (the Bass hazard)?"""
    t = np.linspace(0, 30, 301)  # beyond, 1 − F is so small that rounding dominates
    f = adoption.bass_density(t, P, Q, 1.0)
    big_f = adoption.bass_cumulative(t, P, Q, 1.0)
    np.testing.assert_allclose(f / (1 - big_f), P + Q * big_f, rtol=1e-10)


def test_density_is_derivative_of_cumulative():
    """Does m·f(t) match a central difference of m·F(t)?"""
    t = np.linspace(0.5, 40, 80)
    h = 1e-4
    slope = (adoption.bass_cumulative(t + h, P, Q) - adoption.bass_cumulative(t - h, P, Q)) / (
        2 * h
    )
    np.testing.assert_allclose(adoption.bass_density(t, P, Q, M), M * slope, rtol=1e-6)


def test_adopters_per_period_sum_to_cumulative():
    """Do new adopters in periods 1…T add up to m·F(T)?"""
    t = np.arange(1, 25)
    new = adoption.bass_adopters(t, P, Q, M)
    np.testing.assert_allclose(np.cumsum(new), adoption.bass_cumulative(t, P, Q, M), rtol=1e-12)


def test_adopters_with_small_step_approach_density():
    """Do adopters in a tiny period, per unit of time, tend to the density (hazard identity again)?"""
    t = np.array([2.0, 7.0, 15.0])
    step = 1e-6
    rate = adoption.bass_adopters(t, P, Q, 1.0, step=step) / step
    big_f = adoption.bass_cumulative(t, P, Q, 1.0)
    np.testing.assert_allclose(rate / (1 - big_f), P + Q * big_f, rtol=1e-4)


def test_pure_innovation_is_exponential():
    """With q = 0, is F(t) = 1 − e^{−pt} (no imitation)?"""
    t = np.array([1.0, 10.0, 50.0])
    np.testing.assert_allclose(adoption.bass_cumulative(t, 0.05, 0.0), 1 - np.exp(-0.05 * t))


@pytest.mark.parametrize(
    ("p", "q", "m", "error"),
    [
        (0.0, 0.3, 100, ValueError),
        (-0.1, 0.3, 100, ValueError),
        (0.01, -0.2, 100, ValueError),
        (0.01, 0.3, 0, ValueError),
        (0.01, float("nan"), 100, ValueError),
        ("0.01", 0.3, 100, TypeError),
        (True, 0.3, 100, TypeError),
    ],
)
def test_bad_parameters_are_refused(p, q, m, error):
    """Are p ≤ 0, q < 0, m ≤ 0, NaN and non-numbers refused with a clear error?"""
    with pytest.raises(error):
        adoption.bass_cumulative(1.0, p, q, m)
    with pytest.raises(error):
        adoption.bass_adopters(1.0, p, q, m)


def test_bad_step_is_refused():
    """Is a zero period length refused?"""
    with pytest.raises(ValueError, match="step"):
        adoption.bass_adopters(1.0, P, Q, M, step=0)


# --------------------------------------------------------------------------- peak


@pytest.mark.parametrize(("p", "q"), [(0.02, 0.35), (0.01, 0.5), (0.05, 0.2), (0.003, 0.9)])
def test_peak_time_matches_argmax_of_fine_grid(p, q):
    """Is peak_time the argmax of the density on a fine grid?"""
    grid = np.linspace(0, 80, 800_001)
    argmax = grid[np.argmax(adoption.bass_density(grid, p, q))]
    assert adoption.peak_time(p, q) == pytest.approx(argmax, abs=2e-4)
    assert adoption.peak_time(p, q) == pytest.approx(math.log(q / p) / (p + q))


def test_peak_time_is_zero_without_enough_imitation():
    """When q ≤ p, is the peak at launch (0), never a negative time?"""
    assert adoption.peak_time(0.3, 0.1) == 0.0
    assert adoption.peak_time(0.2, 0.2) == 0.0


def test_peak_time_refuses_zero_p():
    """Is p = 0 refused (ln(q/0) has no meaning)?"""
    with pytest.raises(ValueError):
        adoption.peak_time(0, 0.3)


# --------------------------------------------------------------------------- fit


@pytest.mark.parametrize(
    ("p", "q", "m", "periods"),
    [(0.02, 0.35, 10_000, 24), (0.01, 0.5, 2_500, 24), (0.04, 0.25, 50_000, 30)],
)
def test_fit_recovers_known_parameters(p, q, m, periods):
    """Does fit_bass recover p, q and m within 5% on clean simulated data?"""
    t = np.arange(1, periods + 1)
    fit = adoption.fit_bass(t, adoption.bass_adopters(t, p, q, m))
    assert fit.p == pytest.approx(p, rel=0.05)
    assert fit.q == pytest.approx(q, rel=0.05)
    assert fit.m == pytest.approx(m, rel=0.05)
    assert fit.r_squared > 0.999
    assert not fit.m_fixed


def test_fit_recovers_parameters_from_noisy_counts():
    """With Poisson noise on 12,000 people, are p and q still within 15%?"""
    rng = np.random.default_rng(4)
    t = np.arange(1, 25)
    new = rng.poisson(adoption.bass_adopters(t, 0.03, 0.4, 12_000))
    fit = adoption.fit_bass(t, new)
    assert fit.p == pytest.approx(0.03, rel=0.15)
    assert fit.q == pytest.approx(0.4, rel=0.15)
    assert 0.9 < fit.r_squared <= 1


def test_fit_with_known_m_keeps_it():
    """When m is given, is it kept and are p and q recovered?"""
    t = np.arange(1, 13)
    fit = adoption.fit_bass(t, adoption.bass_adopters(t, P, Q, M), m=M)
    assert fit.m == M and fit.m_fixed
    assert fit.p == pytest.approx(P, rel=0.01)
    assert fit.q == pytest.approx(Q, rel=0.01)


def test_fit_predicts_and_reports():
    """Do the fit's helpers predict the data it was fitted on and print its parameters?"""
    t = np.arange(1, 25)
    new = adoption.bass_adopters(t, P, Q, M)
    fit = adoption.fit_bass(t, new)
    np.testing.assert_allclose(fit.adopters(t), new, rtol=1e-3, atol=1)
    assert fit.cumulative(24) == pytest.approx(new.sum(), rel=1e-3)
    assert fit.peak == pytest.approx(adoption.peak_time(P, Q), rel=0.05)
    assert "p = 0.0200" in str(fit)


@pytest.mark.parametrize(
    ("t", "new", "message"),
    [
        ([1, 2, 3], [5, 10, 20], "too few periods"),
        ([1, 2, 3, 4, 5], [0, 0, 0, 0, 0], "no growth"),
        ([1, 2, 3, 4, 5], [0, 0, 40, 0, 0], "no growth"),
        ([1, 2, 3, 4], [1, 2, -3, 4], "≥ 0"),
        ([1, 2, 2, 4], [1, 2, 3, 4], "increasing"),
        ([1, 2, 3, 4], [1, 2, 3], "same length"),
        ([1, 2, 3, 4], [1, 2, np.nan, 4], "missing"),
    ],
)
def test_fit_refuses_data_that_cannot_identify_the_model(t, new, message):
    """Are too few periods, no growth and malformed input refused with a clear message?"""
    with pytest.raises(ValueError, match=message):
        adoption.fit_bass(t, new)


def test_fit_refuses_an_unbent_curve_without_m():
    """When only the start of the curve is seen, is m reported as not identified?"""
    t = np.arange(1, 7)
    new = adoption.bass_adopters(t, 0.001, 0.05, 1_000_000)  # still accelerating, far from the bend
    with pytest.raises(ValueError, match="m cannot be identified"):
        adoption.fit_bass(t, new)
    fit = adoption.fit_bass(t, new, m=1_000_000)  # with m known it can be fitted
    assert fit.q == pytest.approx(0.05, rel=0.05)


def test_fit_refuses_m_below_adopters_counted():
    """Is an m smaller than the adopters already seen refused?"""
    t = np.arange(1, 13)
    with pytest.raises(ValueError, match="smaller"):
        adoption.fit_bass(t, adoption.bass_adopters(t, P, Q, M), m=100)


def test_fit_refuses_text():
    """Is non-numeric input a TypeError?"""
    with pytest.raises(TypeError):
        adoption.fit_bass(["a", "b", "c", "d"], [1, 2, 3, 4])


# --------------------------------------------------------------------------- Rogers


def test_rogers_shares_on_normal_data():
    """On normal adoption times, are the shares ≈ 2.5/13.5/34/34/16%?"""
    times = np.random.default_rng(7).normal(12, 3, 200_000)
    shares = adoption.rogers_categories(times).value_counts(normalize=True)
    for category, share in adoption.ROGERS_SHARES.items():
        assert shares[category] == pytest.approx(share, abs=0.006)


def test_rogers_cut_offs_by_hand():
    """On 0…10, are the cut-offs mean − 2sd, mean − sd, mean, mean + sd (left-closed)?"""
    times = pd.Series(np.arange(11.0), index=list("abcdefghijk"))
    # mean 5, sample sd 3.317: cuts at −1.63, 1.68, 5, 8.32
    got = adoption.rogers_categories(times)
    assert list(got.index) == list("abcdefghijk")
    assert got["a"] == "early adopters"  # 0 ≥ −1.63 and < 1.68
    assert got["c"] == "early majority"  # 2
    assert got["f"] == "late majority"  # 5 is the mean: the late majority starts there
    assert got["j"] == "laggards"  # 9 ≥ 8.32
    assert got.cat.ordered and list(got.cat.categories) == list(adoption.ROGERS_CATEGORIES)


def test_rogers_keeps_non_adopters_missing_and_accepts_dates():
    """Do people who never adopted stay uncategorised, and do dates work like numbers?"""
    dates = pd.Series(
        pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", None, "2024-06-01"])
    )
    got = adoption.rogers_categories(dates)
    assert pd.isna(got.iloc[3])
    numbers = adoption.rogers_categories([0, 31, 60, np.nan, 152])
    assert list(got.astype(str)) == list(numbers.astype(str))


@pytest.mark.parametrize(
    ("times", "error"),
    [
        ([3.0], ValueError),
        ([2, 2, 2], ValueError),
        (["a", "b"], TypeError),
        ([True, False, True], TypeError),
    ],
)
def test_rogers_refuses_bad_input(times, error):
    """Are one value, no spread, text and booleans refused?"""
    with pytest.raises(error):
        adoption.rogers_categories(times)


# --------------------------------------------------------------------------- usage report


def tiny_report() -> pd.DataFrame:
    """Five users, one D30 export and one D7 export: a reader, a liker, a poster, an idle user, a deleted poster."""
    rows = []
    counts = {
        "reader": (0, 12, 0),
        "liker": (0, 3, 2),
        "poster": (1, 0, 0),
        "idle": (0, 0, 0),
        "gone": (2, 5, 0),
    }
    for period, scale in (("30", 1), ("7", 0)):
        for user, (posted, read, liked) in counts.items():
            rows.append(
                {
                    "Report Refresh Date": pd.Timestamp("2024-03-31"),
                    "User Principal Name": f"{user}@example.org",
                    "Display Name": user.title(),
                    "User State": "Deleted" if user == "gone" else "Active",
                    "State Change Date": pd.NaT,
                    "Last Activity Date": pd.Timestamp("2024-03-20"),
                    "Posted Count": posted * scale,
                    "Read Count": read if user == "reader" else read * scale,
                    "Liked Count": liked * scale,
                    "Assigned Products": "MICROSOFT 365 E3",
                    "Report Period": period,
                }
            )
    return pd.DataFrame(rows)


def test_active_and_interactive_on_tiny_report():
    """On the handmade export, are 4 users active (a read counts) and 3 interactive (post or like)?"""
    report = tiny_report()
    active = adoption.active_users(report, "D30")
    interactive = adoption.interactive_users(report, "D30")
    assert active.tolist() == [4] and active.name == "active_users"
    assert interactive.tolist() == [3] and interactive.name == "interactive_users"
    assert active.index[0] == pd.Timestamp("2024-03-31")


def test_period_selects_rows():
    """Does D7 count only the D7 rows (one reader, nobody interactive)?"""
    report = tiny_report()
    assert adoption.active_users(report, "D7").tolist() == [1]
    assert adoption.interactive_users(report, "d7").tolist() == [0]


def test_counts_per_refresh_date_and_distinct_users():
    """With two monthly exports, is each month counted separately and a duplicated row counted once?"""
    march = tiny_report()
    april = march.assign(
        **{"Report Refresh Date": pd.Timestamp("2024-04-30"), "Posted Count": 0, "Liked Count": 0}
    )
    report = pd.concat([march, april, march.iloc[[0]]], ignore_index=True)
    active = adoption.active_users(report)
    interactive = adoption.interactive_users(report)
    assert active.tolist() == [4, 3]  # in April the poster did nothing at all
    assert interactive.tolist() == [3, 0]  # a month without interaction still shows, as 0


def test_usage_summary_reach_and_engagement():
    """Are reach = active / headcount and engagement = interactive / active?"""
    table = adoption.usage_summary(tiny_report(), headcount=10)
    row = table.iloc[0]
    assert (row["active"], row["interactive"]) == (4, 3)
    assert row["reach"] == pytest.approx(0.4)
    assert row["engagement"] == pytest.approx(0.75)
    with pytest.raises(ValueError, match="headcount"):
        adoption.usage_summary(tiny_report(), headcount=0)


@pytest.mark.parametrize("period", ["D14", "30", 30, "", None])
def test_unknown_period_is_refused(period):
    """Are periods other than D7/D30/D90/D180 refused with the list of valid ones?"""
    with pytest.raises(ValueError, match="D7, D30, D90, D180"):
        adoption.active_users(tiny_report(), period)


def test_period_absent_from_report_is_named():
    """When the export holds no D90 rows, does the error say which periods it holds?"""
    with pytest.raises(ValueError, match="holds D7, D30"):
        adoption.interactive_users(tiny_report(), "D90")


def test_missing_columns_are_named():
    """Is a report without Liked Count refused, naming the column?"""
    with pytest.raises(ValueError, match="Liked Count"):
        adoption.active_users(tiny_report().drop(columns="Liked Count"))


def test_report_must_be_a_frame():
    """Is a dict refused with a TypeError?"""
    with pytest.raises(TypeError):
        adoption.active_users({"Posted Count": [1]})


# --------------------------------------------------------------------------- rollout planning


def test_champion_q_follows_the_stated_assumption():
    """Is q raised by 25% per champion per 100 colleagues, capped at 2 per 100?"""
    assert adoption.champion_q(0.4, 0, 1_000) == pytest.approx(0.4)
    assert adoption.champion_q(0.4, 10, 1_000) == pytest.approx(0.4 * 1.25)
    assert adoption.champion_q(0.4, 20, 1_000) == pytest.approx(0.4 * 1.5)
    assert adoption.champion_q(0.4, 90, 1_000) == pytest.approx(0.4 * 1.5)
    with pytest.raises(ValueError):
        adoption.champion_q(0.4, -1, 1_000)
    with pytest.raises(ValueError):
        adoption.champion_q(0.4, 1, 0)


def sites_plan() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site": ["Lyon", "Paris"],
            "headcount": [1_000, 4_000],
            "launch_month": [0, 6],
            "champions": [0, 40],
        }
    )


def test_forecast_waits_for_launch_and_follows_bass():
    """Does a site adopt nobody before its launch month, then follow its own Bass curve?"""
    table = adoption.rollout_forecast(sites_plan(), p=0.03, q=0.4, months=24, ceiling=0.8)
    paris = table[table["site"] == "Paris"].set_index("month")
    assert (paris.loc[1:6, "adopters"] == 0).all()
    q_paris = adoption.champion_q(0.4, 40, 4_000)
    expected = adoption.bass_cumulative(24 - 6, 0.03, q_paris, 0.8 * 4_000)
    assert paris.loc[24, "adopters"] == pytest.approx(expected)
    lyon = table[table["site"] == "Lyon"].set_index("month")
    assert lyon.loc[3, "adopters"] == pytest.approx(adoption.bass_cumulative(3, 0.03, 0.4, 800))


def test_forecast_active_and_interactive_are_shares():
    """Are active = retention × adopters and interactive = share × active, never above headcount?"""
    table = adoption.rollout_forecast(
        sites_plan(), 0.03, 0.4, 36, ceiling=0.9, retention=0.7, interactive_share=0.3
    )
    np.testing.assert_allclose(table["active"], 0.7 * table["adopters"])
    np.testing.assert_allclose(table["interactive"], 0.3 * table["active"])
    last = table[table["month"] == 36].set_index("site")
    assert (last["adopters"] <= 0.9 * pd.Series({"Lyon": 1_000, "Paris": 4_000})).all()


def test_champions_speed_up_the_forecast():
    """With champions, are more people on board at month 12 than without?"""
    plan = sites_plan()
    with_crew = adoption.rollout_forecast(plan, 0.03, 0.4, 12)
    without = adoption.rollout_forecast(plan.drop(columns="champions"), 0.03, 0.4, 12)
    assert with_crew["adopters"].sum() > without["adopters"].sum()


@pytest.mark.parametrize(
    ("change", "kwargs"),
    [
        ({"headcount": [0, 10]}, {}),
        ({"launch_month": [-1, 0]}, {}),
        ({"site": ["A", "A"]}, {}),
        ({}, {"months": 0}),
        ({}, {"ceiling": 1.5}),
        ({}, {"retention": 0}),
        ({}, {"interactive_share": -0.1}),
    ],
)
def test_forecast_refuses_bad_plans(change, kwargs):
    """Are bad headcounts, launch months, duplicate sites, months and shares refused?"""
    plan = sites_plan().assign(**change)
    arguments = {"p": 0.03, "q": 0.4, "months": 12, **kwargs}
    with pytest.raises(ValueError):
        adoption.rollout_forecast(plan, **arguments)


def test_forecast_names_missing_columns():
    """Is a plan without launch months refused, naming the column?"""
    with pytest.raises(ValueError, match="launch_month"):
        adoption.rollout_forecast(sites_plan().drop(columns="launch_month"), 0.03, 0.4, 12)


# --------------------------------------------------------------------------- adoption curves


def monthly_report() -> pd.DataFrame:
    """Three months of D30 exports for four people at two sites."""
    rows = [
        # (month end, user, posted, read, liked)
        ("2024-01-31", "ana", 0, 3, 0),
        ("2024-01-31", "bob", 0, 0, 0),
        ("2024-02-29", "bob", 0, 1, 0),
        ("2024-02-29", "cy", 1, 0, 0),
        ("2024-03-31", "ana", 0, 0, 0),
        ("2024-03-31", "cy", 0, 0, 2),
        ("2024-03-31", "dee", 0, 0, 0),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "Report Refresh Date",
            "User Principal Name",
            "Posted Count",
            "Read Count",
            "Liked Count",
        ],
    )
    frame["Report Refresh Date"] = pd.to_datetime(frame["Report Refresh Date"])
    frame["Report Period"] = 30
    return frame


def staff() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_principal_name": ["ana", "bob", "cy", "dee"],
            "site": ["Lyon", "Lyon", "Lille", "Lille"],
            "rollout_date": pd.to_datetime(
                ["2024-01-01", "2024-01-01", "2024-02-01", "2024-02-01"]
            ),
        }
    )


def test_first_activity_is_the_first_month_with_any_activity():
    """Is a user's adoption the first month with a post, read or like, and idle users absent?"""
    first = adoption.first_activity(monthly_report())
    assert first.to_dict() == {
        "ana": pd.Timestamp("2024-01-31"),
        "bob": pd.Timestamp("2024-02-29"),
        "cy": pd.Timestamp("2024-02-29"),
    }


def test_adoption_curves_count_months_since_each_launch():
    """Are new adopters counted in months since the site's own launch, zeros included?"""
    curves = adoption.adoption_curves(staff(), monthly_report())
    lyon = curves[curves["site"] == "Lyon"]
    lille = curves[curves["site"] == "Lille"]
    assert lyon["month"].tolist() == [1, 2, 3] and lyon["new_adopters"].tolist() == [1, 1, 0]
    assert lille["month"].tolist() == [1, 2] and lille["new_adopters"].tolist() == [1, 0]
    assert set(curves["headcount"]) == {2}


def test_adoption_curves_refuse_groups_with_mixed_launches():
    """Grouping by something that did not launch together (here everyone in one group) is refused?"""
    people = staff().assign(site="All")
    with pytest.raises(ValueError, match="different dates"):
        adoption.adoption_curves(people, monthly_report())
    with pytest.raises(ValueError, match="rollout_date"):
        adoption.adoption_curves(staff().drop(columns="rollout_date"), monthly_report())


def test_fits_over_time_report_what_each_horizon_identifies():
    """Does refitting on the first periods give an error early and the true values late?"""
    t = np.arange(1, 25)
    new = adoption.bass_adopters(t, P, Q, M)
    table = adoption.fits_over_time(t, new, [3, 24])
    assert "too few periods" in table.loc[3, "error"] and np.isnan(table.loc[3, "m"])
    assert table.loc[24, "error"] == ""
    assert table.loc[24, "q"] == pytest.approx(Q, rel=0.05)
    with pytest.raises(ValueError, match="horizons"):
        adoption.fits_over_time(t, new, [30])


# --------------------------------------------------------------------------- fit: exact statistics
# Each test below kills a planted bug that the tests above let through (issue 22).


def _noisy_counts():
    rng = np.random.default_rng(11)
    t = np.arange(1, 19)
    return t, rng.poisson(adoption.bass_adopters(t, 0.03, 0.45, 3_000)).astype(float)


def test_fit_rmse_is_the_root_mean_square_error_over_n_periods():
    """Is rmse √(Σ(y − ŷ)² / n), n the number of periods (not n − 1)?"""
    t, new = _noisy_counts()
    fit = adoption.fit_bass(t, new)
    fitted = adoption.bass_adopters(t, fit.p, fit.q, fit.m)
    assert fit.rmse == pytest.approx(math.sqrt(((new - fitted) ** 2).sum() / len(new)), rel=1e-9)


def test_fit_r_squared_uses_the_spread_around_the_mean():
    """Is r_squared 1 − SSE / Σ(y − ȳ)², not 1 − SSE / Σy²?"""
    t, new = _noisy_counts()
    fit = adoption.fit_bass(t, new)
    fitted = adoption.bass_adopters(t, fit.p, fit.q, fit.m)
    sse = ((new - fitted) ** 2).sum()
    assert fit.r_squared == pytest.approx(1 - sse / ((new - new.mean()) ** 2).sum(), rel=1e-9)
    assert fit.r_squared < 1 - sse / (new**2).sum()  # the two formulas differ on these data


def test_fit_handles_periods_that_are_not_one_unit_long():
    """With two-month periods (t = 2, 4, …), is the first period two months long and the fit exact?"""
    t = np.arange(2, 41, 2, dtype=float)
    new = adoption.bass_adopters(t, 0.06, 0.3, 5_000, step=2.0)
    fit = adoption.fit_bass(t, new)
    assert fit.p == pytest.approx(0.06, rel=0.01)
    assert fit.q == pytest.approx(0.3, rel=0.01)
    assert fit.m == pytest.approx(5_000, rel=0.01)
    assert fit.rmse < 1e-3 * new.max()  # a first period of one month would leave a visible error


def test_fit_keeps_the_best_of_its_starting_points():
    """On counts where the first starting point ends in a worse local fit, is the best one kept?"""
    # Found by search: from the first start the least-squares fit stops at RMSE 15.07;
    # another start reaches RMSE 14.35.
    t = np.arange(1, 11)
    new = np.array([15, 20, 21, 7, 8, 3, 5, 47, 45, 4], dtype=float)
    fit = adoption.fit_bass(t, new)
    assert fit.rmse < 14.7
