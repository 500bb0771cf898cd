"""The template narrative's choice of the biggest change, on facts as Home shows them."""

from analytics.narrative import Fact, explain_template

HOME = [
    Fact("Sessions completed, last 4 weeks", "2,423", "▼ 3.1% vs previous 4 weeks", True),
    Fact("Attendance rate, last 4 weeks", "83.7%", "▼ 3.8 pts vs previous 4 weeks", True),
    Fact("Safety incidents, last 4 weeks", "2", "▼ 60.0% vs previous 4 weeks"),
    Fact(
        "Approval rate (decided applications), last 4 weeks",
        "60.8%",
        "▼ 4.5 pts vs previous 4 weeks",
        True,
    ),
    Fact("Applications, last 4 weeks", "409", "▲ 11.7% vs previous 4 weeks"),
    Fact("Active tutors", "194 (15 left in the last 90 days)"),
    Fact("Hours delivered, last 4 weeks", "474", "▲ 2.9% vs previous 4 weeks"),
    Fact("Cancellation rate", "12.4%", "▼ 0.5 pts vs previous 4 weeks"),
    Fact("Loans 30+ days late", "1.1% (of 2,271 active loans)"),
]


def test_a_rates_points_and_a_counts_percent_are_ranked_against_where_they_were():
    """Approval fell 4.5 points from 65.3% (6.9% of it): more than attendance's 3.8 from
    87.5% (4.3%), less than applications' 11.7%; 5 incidents falling to 2 is too few to
    lead. Every fact is listed, the ninth too."""
    text = explain_template("Home", HOME)
    assert "The biggest change is applications, last 4 weeks: ▲ 11.7%" in text
    assert "Look next at approval rate (decided applications), last 4 weeks" in text
    assert "Loans 30+ days late: 1.1%" in text


def test_small_counts_still_lead_when_nothing_else_moved():
    few = [Fact("Safety incidents", "2", "▼ 60.0% vs previous 4 weeks")]
    assert "The biggest change is safety incidents" in explain_template("PE", few)
    steady = few + [Fact("Places attended", "16,607", "▼ 0.1% vs previous 4 weeks", True)]
    assert "The biggest change is places attended" in explain_template("PE", steady)


def test_whole_unit_changes_are_against_the_count_before():
    bands = [
        Fact("Low risk", "440", "▼ 8 since last week's scores", True),
        Fact("Medium risk", "55", "▲ 7 since last week's scores", True),
        Fact("Critical risk", "3", "▲ 2 since last week's scores", True),
    ]
    # Medium rose 7 from 48 (15%); low fell 8 from 448 (2%); critical's 1 to 3 is too few.
    assert "The biggest change is medium risk" in explain_template("Tutor risk", bands)


def test_a_fall_to_nothing_an_average_and_a_small_rate_are_ranked_sensibly():
    """A count falling to 0 ("▼ 100.0%") does not divide by zero; an average (4.29) is not a
    count, so its 9.8% fall leads a count's 0.1%; a rate of 0.1% rising to 0.4% weighs its
    points against a floor of 5, not against 0.1."""
    gone = [Fact("Safety incidents", "0", "▼ 100.0% vs previous 4 weeks")]
    assert "The biggest change is safety incidents" in explain_template("PE", gone)
    rating = [
        Fact("Places attended", "16,607", "▼ 0.1% vs previous 4 weeks", True),
        Fact("Average rating (1–5)", "3.95", "▼ 9.8% vs previous 4 weeks", True),
    ]
    assert "The biggest change is average rating" in explain_template("Home", rating)
    small_rate = [
        Fact("Loans 30+ days late", "0.4%", "▲ 0.3 pts vs previous 4 weeks", True),
        Fact("Applications", "409", "▲ 30.0% vs previous 4 weeks"),
    ]
    assert "The biggest change is applications" in explain_template("Home", small_rate)


def test_a_tutor_is_told_what_was_noticed_in_words_not_the_models_numbers():
    from analytics.narrative import noticed

    factors = [
        {"feature": "rating_change_30d", "label": "Rating, last 30 days", "value": -0.99},
        {"feature": "rating_trend", "label": "Rating trend", "value": -0.4},
        {"feature": "missed_change_30d", "label": "Missed sessions", "value": 0.21},
        {"feature": "days_since_last_session", "label": "Days since", "value": 16.0},
        {"feature": "tenure_days", "label": "Tenure", "value": 40.0},
    ]
    assert noticed(factors) == [
        "Your sessions' ratings have been a little lower lately.",
        "More of your sessions than usual were missed, moved or cancelled.",
        "It has been 16 days since your last session.",
    ]
    assert noticed([]) == []
