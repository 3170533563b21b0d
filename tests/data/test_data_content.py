"""What the datasets say: published counts, calibrated shapes and the course's stated assumptions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course.data.rse import WAVES


def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two label sequences (plain formula, no external dependency)."""
    a, b = np.asarray(a), np.asarray(b)
    labels = np.union1d(a, b)
    observed = float(np.mean(a == b))
    expected = float(sum(np.mean(a == k) * np.mean(b == k) for k in labels))
    return (observed - expected) / (1 - expected)


def top_share(counts, share: float = 0.01) -> float:
    """Share of the total held by the top ``share`` of units (at least one unit)."""
    values = np.sort(np.asarray(counts))[::-1]
    k = max(1, round(len(values) * share))
    return float(values[:k].sum() / values.sum())


def test_kappa_helper_bites():
    """Does the local kappa give 1 for identical labels and 0 for chance-level labels?"""
    assert cohen_kappa(list("aabb"), list("aabb")) == pytest.approx(1.0)
    assert cohen_kappa(list("aabb"), list("abab")) == pytest.approx(0.0)


# --------------------------------------------------------------------------- cm_survey


@pytest.mark.parametrize(
    ("column", "value", "count"),
    [
        ("gender", "woman", 300),
        ("age_band", "26-35", 260),
        ("region", "Île-de-France", 286),
        ("employer_type", "SME", 156),
        ("employer_type", "digital agency", 87),
        ("hiring_channel", "job board", 133),
    ],
)
def test_cm_survey_reproduces_the_published_counts(frames, column, value, count):
    """Does cm_survey hold exactly round(share x 577) respondents for each published figure?"""
    survey = frames["cm_survey"]
    assert len(survey) == 577
    assert (survey[column] == value).sum() == count


def test_cm_survey_is_internally_consistent(frames):
    """Do freelancers have no salary band nor manager, and internal CMs use the RSE more?"""
    survey = frames["cm_survey"]
    freelance = survey["employer_type"] == "freelance"
    assert survey.loc[freelance, "salary_band"].isna().all()
    assert survey.loc[~freelance, "salary_band"].notna().all()
    assert (survey.loc[freelance, "reports_to"] == "none (freelance)").all()
    assert (survey.loc[freelance, "hiring_channel"] != "job board").all()
    uses_rse = survey["tools"].str.split(";").apply(lambda tools: "rse" in tools)
    assert (
        uses_rse[survey["role"] == "internal"].mean()
        > uses_rse[survey["role"] == "external"].mean() + 0.5
    )
    assert set(survey["role"]) == {"internal", "external", "hybrid"}
    dates = survey["responded_on"]
    assert dates.min() >= pd.Timestamp("2012-04-12") and dates.max() <= pd.Timestamp("2012-05-08")
    assert survey["weekly_hours"].between(0, 60).all()


# --------------------------------------------------------------------------- cm_task_log


def test_task_log_has_ten_tasks_for_120_cms_over_12_weeks(frames):
    """Is the task log a full panel of ~120 CMs x 12 weeks x 10 tasks (~15k rows)?"""
    log = frames["cm_task_log"]
    assert log["cm_id"].nunique() == 120
    assert log["week"].nunique() == 12
    assert set(log["task"]) == {
        "watch", "study", "detect", "alert", "facilitate", "engage", "monitor", "moderate",
        "create content", "report",
    }  # fmt: skip
    assert 14_000 <= len(log) <= 16_000
    assert (log["hours"] >= 0).all()


def test_internal_cms_facilitate_more_and_external_ones_moderate_more(frames):
    """Do internal CMs spend a larger share on facilitation and content, external on moderation?"""
    log = frames["cm_task_log"]
    hours = log.pivot_table(index="role", columns="task", values="hours", aggfunc="sum")
    share = hours.div(hours.sum(axis=1), axis=0)
    assert share.loc["internal", "facilitate"] > 2 * share.loc["external", "facilitate"]
    assert share.loc["internal", "create content"] > share.loc["external", "create content"]
    assert share.loc["external", "moderate"] > 2 * share.loc["internal", "moderate"]
    crisis = log.groupby("role")["crisis"].mean()
    assert crisis["external"] > crisis["internal"]


# --------------------------------------------------------------------------- members and posts


def test_members_are_8k_internal_and_50k_external(frames):
    """Are there ~8,000 internal and ~50,000 external members, with department or country?"""
    members = frames["members"]
    sizes = members["community"].value_counts()
    assert sizes["internal"] == 8_000 and sizes["external"] == 50_000
    internal = members["community"] == "internal"
    assert members.loc[internal, "department"].notna().all()
    assert members.loc[~internal, "country"].notna().all()


def test_member_post_counts_match_the_posts(frames):
    """Does each member's n_posts equal their rows in posts, all posted after joining?"""
    members, posts = frames["members"], frames["posts"]
    counted = posts["author_id"].value_counts().reindex(members["member_id"], fill_value=0)
    assert (counted.to_numpy() == members["n_posts"].to_numpy()).all()
    joined = posts.merge(
        members[["member_id", "joined_on"]], left_on="author_id", right_on="member_id"
    )
    assert (joined["posted_at"] >= joined["joined_on"]).all()


def test_posts_are_about_40k(frames):
    """Are there about 40,000 posts over both communities?"""
    assert 35_000 <= len(frames["posts"]) <= 45_000


def test_external_participation_is_unequal_as_in_the_literature(frames):
    """Do the top 1% of external authors (and of members) write 30-60% of external posts?"""
    posts = frames["posts"]
    external = posts[posts["community"] == "external"]
    assert 0.30 <= top_share(external["author_id"].value_counts()) <= 0.60
    members = frames["members"]
    ext_members = members[members["community"] == "external"]
    assert 0.30 <= top_share(ext_members["n_posts"]) <= 0.60
    assert 0.85 <= (ext_members["n_posts"] == 0).mean() <= 0.95  # near 90-9-1


def test_most_internal_members_only_read(frames):
    """Do most internal members never post?"""
    members = frames["members"]
    internal = members[members["community"] == "internal"]
    assert (internal["n_posts"] == 0).mean() > 0.6


def test_posting_rhythm_has_quiet_weekends_inside(frames):
    """Are internal weekends quiet and internal posts in office hours, unlike external ones?"""
    posts = frames["posts"]
    weekend = posts["posted_at"].dt.dayofweek >= 5
    internal = posts["community"] == "internal"
    assert weekend[internal].mean() < 0.05
    assert weekend[~internal].mean() > 0.20
    hour = posts["posted_at"].dt.hour
    assert hour[internal].between(8, 18).mean() > 0.9
    assert hour[~internal].between(19, 22).mean() > hour[internal].between(19, 22).mean() + 0.1


def test_posts_carry_followers_for_external_only(frames):
    """Is followers_at_post set for every external post, growing, and missing inside?"""
    posts = frames["posts"]
    external = posts[posts["community"] == "external"].sort_values("posted_at")
    internal = posts[posts["community"] == "internal"]
    assert external["followers_at_post"].notna().all()
    assert internal["followers_at_post"].isna().all()
    assert external["followers_at_post"].is_monotonic_increasing
    assert external["followers_at_post"].max() <= 50_000
    assert (posts["reach"] <= posts["impressions"]).all()
    assert set(posts["engagement_level"]) == {1, 2, 3}


# --------------------------------------------------------------------------- comments


def test_comments_have_every_category_and_enough_distinct_texts(frames):
    """Are there ~4,000 comments, >= 2,500 distinct texts, nine categories, sizeable fair criticism?"""
    comments = frames["comments"]
    assert 3_500 <= len(comments) <= 4_500
    assert comments["text"].nunique() >= 2_500
    assert set(comments["category"]) == {
        "question", "praise", "fair_criticism", "complaint", "spam", "insult", "off_topic",
        "personal_data", "illegal",
    }  # fmt: skip
    assert (comments["category"] == "fair_criticism").mean() >= 0.12
    assert set(comments["channel"]) == {"brand_page", "rse"}
    assert set(comments["language"]) == {"fr", "en"}
    assert (comments["language"] == "fr").mean() > 0.75


def test_comments_use_only_mild_generic_insults(frames):
    """Do insult texts stay mild (no slur from a short blocklist)?"""
    texts = " ".join(frames["comments"]["text"]).lower()
    for word in ("connard", "salope", "enculé", "pute", "nègre", "pd ", "fuck"):
        assert word not in texts


def test_moderators_agree_moderately(frames):
    """Is Cohen's kappa between the two moderators within 0.55-0.80?"""
    comments = frames["comments"]
    kappa = cohen_kappa(comments["label_mod_a"], comments["label_mod_b"])
    assert 0.55 <= kappa <= 0.80


def test_disagreement_is_highest_at_the_criticism_insult_boundary(frames):
    """Is per-category kappa lowest for fair criticism or insult, the most confused pair?"""
    comments = frames["comments"]
    a, b = comments["label_mod_a"], comments["label_mod_b"]
    per_class = {k: cohen_kappa(a == k, b == k) for k in comments["category"].unique()}
    assert min(per_class, key=per_class.get) in {"fair_criticism", "insult"}
    differ = comments[a != b]
    pairs = differ.apply(lambda r: frozenset((r["label_mod_a"], r["label_mod_b"])), axis=1)
    assert pairs.value_counts().index[0] == frozenset({"fair_criticism", "insult"})


def test_first_replies_are_heavy_tailed_with_some_never_answered(frames):
    """Is the brand-page median reply several hours, the tail long, and some never answered?"""
    comments = frames["comments"]
    brand = comments[comments["channel"] == "brand_page"]["hours_to_first_reply"]
    assert 2 <= brand.median() <= 12
    assert brand.quantile(0.95) > 5 * brand.median()
    assert 0.05 < comments["hours_to_first_reply"].isna().mean() < 0.6
    answered = comments.dropna(subset=["first_reply_at"])
    delay = (answered["first_reply_at"] - answered["posted_at"]).dt.total_seconds() / 3600
    assert np.allclose(delay, answered["hours_to_first_reply"], atol=1e-3)
    assert comments["first_reply_at"].isna().equals(comments["hours_to_first_reply"].isna())


def test_rule_flags_come_from_the_text(frames):
    """Does flagged_by equal the rule recomputed on the text, with false positives on criticism?"""
    from course.data.comments import flag

    comments = frames["comments"]
    recomputed = comments["text"].map(flag)
    assert recomputed.fillna("").equals(comments["flagged_by"].fillna(""))
    criticism = comments[comments["category"] == "fair_criticism"]
    assert criticism["flagged_by"].notna().any()  # rules also catch fair criticism
    insults = comments[comments["category"] == "insult"]
    assert 0.5 < insults["flagged_by"].notna().mean() < 1.0  # and miss some insults


# --------------------------------------------------------------------------- employees, rse_usage

GRAPH_COLUMNS = [
    "Report Refresh Date",
    "User Principal Name",
    "Display Name",
    "User State",
    "State Change Date",
    "Last Activity Date",
    "Posted Count",
    "Read Count",
    "Liked Count",
    "Assigned Products",
    "Report Period",
]


def test_employees_span_french_and_foreign_sites(frames):
    """Are there ~12,000 employees over at least 10 French and 3 foreign sites?"""
    employees = frames["employees"]
    assert len(employees) == 12_000
    sites = employees.groupby("site")["country"].first()
    assert (sites == "FR").sum() >= 10
    assert (sites != "FR").sum() >= 3
    assert employees["employee_id"].is_unique and employees["user_principal_name"].is_unique
    assert employees.groupby("site")["rollout_wave"].nunique().max() == 1


def test_rse_usage_has_the_graph_report_columns(frames):
    """Does rse_usage keep the exact column names of the Viva Engage user-detail report?"""
    usage = frames["rse_usage"]
    assert list(usage.columns) == GRAPH_COLUMNS
    assert (usage["Report Period"] == 30).all()
    assert set(usage["User State"]) <= {"Active", "Deleted"}
    assert 200_000 <= len(usage) <= 300_000
    assert usage["Report Refresh Date"].nunique() == 24


def test_rse_usage_links_to_employees(frames):
    """Does every User Principal Name of the report belong to an employee?"""
    usage, employees = frames["rse_usage"], frames["employees"]
    assert set(usage["User Principal Name"]) <= set(employees["user_principal_name"])


def test_adoption_is_s_shaped_in_every_wave(frames):
    """Do new adopters per month rise then fall in every wave (a Bass S-curve)?"""
    usage, employees = frames["rse_usage"], frames["employees"]
    active = usage[usage["Last Activity Date"].notna()]
    first = active.groupby("User Principal Name")["Report Refresh Date"].min()
    wave = employees.set_index("user_principal_name")["rollout_wave"].reindex(first.index)
    months = sorted(usage["Report Refresh Date"].unique())
    for w, (start, _p, _q) in WAVES.items():
        new = first[wave == w].value_counts().reindex(months[start:], fill_value=0).to_numpy()
        peak = int(np.argmax(new))
        assert 0 < peak < len(new) - 1, f"wave {w}: peak at the edge"
        assert new[0] < 0.7 * new[peak], f"wave {w}: no slow start"
        assert new[-1] < 0.3 * new[peak], f"wave {w}: no saturation"
        cumulative = np.cumsum(new)
        assert (np.diff(cumulative) >= 0).all()


def test_most_active_users_only_read_and_champions_stand_out(frames):
    """At maturity, do most active users only read, and a few champions write most posts?"""
    usage = frames["rse_usage"]
    late = usage[usage["Report Refresh Date"] >= pd.Timestamp("2025-07-01")]
    active = late[(late["Read Count"] + late["Liked Count"] + late["Posted Count"]) > 0]
    read_only = (active["Posted Count"] == 0) & (active["Liked Count"] == 0)
    assert read_only.mean() > 0.5
    posts = usage.groupby("User Principal Name")["Posted Count"].sum()
    assert top_share(posts, 0.02) > 0.4


# --------------------------------------------------------------------------- communities of practice


def test_cops_cover_the_five_lifecycle_stages(frames):
    """Are there ~30 communities across the five stages of Wenger, McDermott & Snyder?"""
    cops = frames["cops"]
    assert len(cops) == 30
    assert set(cops["lifecycle_stage"]) == {
        "potential", "coalescing", "maturing", "stewardship", "transformation",
    }  # fmt: skip
    assert cops["home_site"].nunique() >= 5


def test_cop_members_have_core_active_and_peripheral_bands(frames):
    """Is every community's core 10-15% and active group 15-20% of its members?"""
    members = frames["cop_members"]
    assert 2_500 <= len(members) <= 4_000
    shares = members.groupby("cop_id")["band"].value_counts(normalize=True).unstack()
    assert shares["core"].between(0.10, 0.15).all()
    assert shares["active"].between(0.15, 0.20).all()
    assert (members.groupby("cop_id")["is_coordinator"].sum() == 1).all()
    assert not members.duplicated(["cop_id", "employee_id"]).any()


def test_cop_events_link_answers_to_questions_across_sites(frames):
    """Does every answer reply to a question of its community, often from another site?"""
    events = frames["cop_events"]
    assert 15_000 <= len(events) <= 25_000
    assert set(events["event_type"]) == {"question", "answer", "document", "meetup"}
    answers = events[events["event_type"] == "answer"]
    questions = events.set_index("event_id")
    target = questions.loc[answers["reply_to"]]
    assert (target["event_type"].to_numpy() == "question").all()
    assert (target["cop_id"].to_numpy() == answers["cop_id"].to_numpy()).all()
    assert (target["author_site"].to_numpy() == answers["linked_site"].to_numpy()).all()
    assert (answers["author_site"] != answers["linked_site"]).mean() > 0.2
    meetups = events[events["event_type"] == "meetup"]
    assert meetups["attendees"].notna().all()
    assert events.loc[events["event_type"] != "meetup", "attendees"].isna().all()


# --------------------------------------------------------------------------- KPIs, maturity, assessments


def test_community_kpis_are_consistent(frames):
    """Are there 20 communities x 24 months with interactive <= active <= members?"""
    kpis = frames["community_kpis"]
    assert kpis["community_id"].nunique() == 20 and kpis["month"].nunique() == 24
    assert (kpis["interactive_members"] <= kpis["active_members"]).all()
    assert (kpis["active_members"] <= kpis["members"]).all()
    assert kpis["reply_rate"].between(0, 1).all()
    assert kpis["satisfaction"].dropna().between(1, 5).all()


def test_maturity_ratings_use_the_eight_keys_and_four_stages(frames):
    """Are ratings stages 1-4 on the eight keys, per department and year, some groups under 5?"""
    ratings = frames["maturity_ratings"]
    keys = ["strategy", "leadership", "culture", "facilitation", "uses", "governance", "tools",
            "measurement"]  # fmt: skip
    assert 150 <= len(ratings) <= 250
    assert ratings[keys].isin([1, 2, 3, 4]).all().all()
    sizes = ratings.groupby(["department", "year"]).size()
    assert (sizes < 5).any() and (sizes >= 5).any()


def test_assessments_demo_follow_the_instrument(frames):
    """Do assessments hold D1.1-D5.4 in 1-5 or missing, D1-D5, O1-O3, and small groups?"""
    answers = frames["assessments_demo"]
    items = [f"D{d}.{i}" for d in range(1, 6) for i in range(1, 5)]
    others = [f"D{d}" for d in range(1, 6)] + ["O1", "O2", "O3"]
    assert 350 <= len(answers) <= 450
    values = answers[items + others]
    assert values.stack().between(1, 5).all()
    assert values[items].isna().any().any()
    assert (answers.groupby("department").size() < 5).sum() >= 2
    assert (answers.groupby("site").size() < 5).sum() >= 2
    assert answers["submitted_on"].notna().all()
