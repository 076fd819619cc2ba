"""What every figure on the pages means, in words an athlete understands (issue 14).

One :class:`Entry` per figure: a short caption ("Fitness: your 6-week average daily load"), its unit,
one paragraph, and where the definition comes from (``../shared/METRICS.md`` and the papers it names).
A figure card shows the caption and a "What is fitness?" disclosure (:func:`card`, :func:`details`);
pages whose figures are graphs list the disclosures of what they draw (:func:`section`).

Nothing here computes a number: the numbers in the paragraphs are the model's defaults (each a setting).
"""

from __future__ import annotations

from dataclasses import dataclass

from dash import html

#: The unit of training load: every source is scaled so that an hour at threshold effort scores 100.
LOAD_POINTS = "load points"
#: The source of the fitness-fatigue model, shared by its figures.
_PMC = "METRICS.md, \"Fitness, fatigue, form\""
_GOAL = "METRICS.md, \"The goal: Barkley-level climbing\""
#: Where wellness values come from: the athlete's mornings, not a definition (no METRICS.md section defines them).
_WELLNESS = ("Your wellness entries: the morning check-in on Today, trainlog wellness add or import, a watch's sleep "
             "and HRV files")


@dataclass(frozen=True)
class Entry:
    """One figure: what its card or graph is called, what it is in a few words, its unit, more words, a source."""

    name: str  # the figure's name as a question names it: "fitness", "the acute:chronic ratio"
    label: str  # its card's label: "Fitness (CTL)"
    caption: str  # a few plain words, lower case: "your 6-week average daily load"
    unit: str  # its unit in words ("load points a day"); empty when the value carries its own (km, m, h min)
    about: str  # one paragraph
    source: str  # where the definition comes from
    ask: str = ""  # the disclosure's question when "What is <name>?" reads badly

    @property
    def question(self) -> str:
        """The disclosure's summary, unique to the figure: ``"What is fitness?"``."""
        return self.ask or f"What is {self.name}?"

    @property
    def line(self) -> str:
        """The card's caption line: ``"Your 6-week average daily load, in load points a day."``."""
        unit = f", {'as' if self.unit.startswith('a ') else 'in'} {self.unit}" if self.unit else ""
        return f"{self.caption[:1].upper()}{self.caption[1:]}{unit}."

    @property
    def title(self) -> str:
        """The caption with the figure's short name: ``"Fitness: your 6-week average daily load"``."""
        short = self.label.split(" (")[0]
        return f"{short}: {self.caption}"


ENTRIES: dict[str, Entry] = {
    # ---- fitness, fatigue, form
    "fitness": Entry(
        "fitness", "Fitness (CTL)", "your 6-week average daily load", f"{LOAD_POINTS} a day",
        "Fitness, or chronic training load (CTL), is the average of your daily training load over about the last "
        "six weeks (42 days), recent days weighing a little more and rest days counting as zero. It climbs slowly "
        "while you train consistently and fades slowly when you stop. Load is in load points: an hour at your "
        "threshold effort scores 100, whatever the sport.",
        "Banister's fitness-fatigue model as in the performance-management chart: each day, fitness moves "
        "1/42 of the way (exactly 1 − e^(−1/42)) from yesterday's value towards the day's load, from 0 on the day "
        f"before the first activity (GoldenCheetah PMCData). {_PMC}."),
    "fatigue": Entry(
        "fatigue", "Fatigue (ATL)", "your 1-week average daily load", f"{LOAD_POINTS} a day",
        "Fatigue, or acute training load (ATL), is the same average as fitness over about the last week (7 days): "
        "it jumps after a hard day and falls within days of rest. Training raises fatigue first and fitness later.",
        f"Banister's fitness-fatigue model with a 7-day time constant. {_PMC}."),
    "form": Entry(
        "form", "Form (TSB)", "fitness minus fatigue", LOAD_POINTS,
        "Form, or training stress balance (TSB), is yesterday's fitness minus yesterday's fatigue: how fresh you "
        "start the day. It is negative while you train hard and positive after easy days. The bands, by default: "
        "below −30 high risk, −30 to −10 optimal training, −10 to +5 grey zone, +5 to +25 fresh, above +25 "
        "transition (fitness fading). For the first 42 days of a history trainlog is building history: it shows "
        "no band and gives no warning.",
        f"Form = fitness − fatigue of the day before; bands in the style of intervals.icu (settings). {_PMC}."),
    "ramp": Entry(
        "the ramp", "Ramp", "how fast fitness changes: today's fitness minus a week ago", f"{LOAD_POINTS} a week",
        "The ramp rate says how quickly fitness is rising or falling. trainlog warns when it rises by more than "
        "8 points a week (a setting): fitness built faster than that rarely lasts; most athletes sustain 5 to 8.",
        f"Ramp = fitness today − fitness seven days earlier; TrainingPeaks' rule of thumb. {_PMC}."),
    "acwr": Entry(
        "the acute:chronic ratio", "Acute:chronic ratio (ACWR)", "last week's load against the last four weeks'",
        "a ratio (1.0: a usual week)",
        "The acute:chronic workload ratio (ACWR) divides your recent load (an average over about 7 days) by your "
        "longer-term load (about 28 days). From 0.8 to 1.3 the last week matches what the last month prepared you "
        "for; below 0.8 it is light; above 1.5 it is a spike, which studies link to a higher injury risk. The bands "
        "are disputed: read them as guides. Early in a history the longer-term load is still small and the ratio "
        "high by construction, so trainlog shows no band while it is building history.",
        "Exponentially weighted averages, N = 7 and 28 days, lambda = 2 / (N + 1) (Williams et al., Br J Sports Med "
        "2017;51:209); the bands questioned by Impellizzeri et al. 2020. METRICS.md, \"Acute:chronic workload "
        "ratio\"."),
    "monotony": Entry(
        "monotony", "Monotony", "how alike your last 7 days' loads are", "a ratio (average ÷ day-to-day spread)",
        "Monotony is the average daily load of the last 7 days divided by how much it varies from day to day. "
        "Days that are all alike give a high monotony even at a modest load; hard days mixed with easy and rest "
        "days keep it low. trainlog warns above 1.5 and flags above 2.0 (settings).",
        "Foster 1998: mean ÷ sample standard deviation of the last 7 days' load (days without training count as 0), "
        "capped at 10. METRICS.md, \"Monotony and strain\"."),
    "strain": Entry(
        "strain", "Strain", "the last 7 days' load times their monotony", LOAD_POINTS,
        "Strain puts how much and how monotonously you trained into one number: the week's total load multiplied "
        "by its monotony. A high strain is a hard week without easy days.",
        "Foster 1998. METRICS.md, \"Monotony and strain\"."),
    "ascent_fitness": Entry(
        "ascent fitness", "Ascent fitness", "your 6-week average daily climbing", "",
        "Ascent fitness and fatigue are fitness and fatigue computed on the metres climbed each day instead of the "
        "training load, with the same 6-week and 1-week averages; descent likewise. Descent stands in for the "
        "muscle damage of running downhill, which heart rate misses.",
        "trainlog's own: no other tool tracks it. METRICS.md, \"Vertical load\"."),
    # ---- this week (Today)
    "week_distance": Entry(
        "this week's distance", "Distance", "distance covered since Monday", "",
        "The distance of every activity from Monday to the day shown, against the average of the four full weeks "
        "before. A multi-day effort counts on each day its samples fall in.",
        "The activity files; days and weeks are your local calendar days and ISO weeks (Monday first). "
        "METRICS.md, \"Time and days\"."),
    "week_time": Entry(
        "moving time", "Moving time", "time in motion since Monday", "hours and minutes",
        "The time spent moving from Monday to the day shown: pauses and gaps in the recording are left out, so it "
        "is shorter than the activities' clock time.",
        "The activity files' samples (gaps while moving, capped per sample; the timer's time without samples). "
        "METRICS.md, \"Time and days\"."),
    "week_ascent": Entry(
        "this week's ascent", "Ascent", "metres climbed since Monday", "",
        "The climbing of every activity from Monday to the day shown. The watch's own total is used when it agrees "
        "with the altitude track; otherwise trainlog counts the climbing itself, ignoring rises under 3 m (noise) "
        "and jumps faster than 5 m/s (glitches).",
        "METRICS.md, \"Elevation gain and loss\" (3 m hysteresis, as GoldenCheetah and Runalyze)."),
    "week_descent": Entry(
        "this week's descent", "Descent", "metres descended since Monday", "",
        "The descending of every activity from Monday to the day shown, counted as the ascent is. Long descents "
        "tire the legs in a way heart rate does not show.",
        "METRICS.md, \"Elevation gain and loss\" and \"Vertical load\"."),
    # ---- weeks (Training)
    "weekly_volume": Entry(
        "weekly distance and time", "Weekly distance and time", "the distance and moving time of each week, by sport",
        "",
        "Each bar is a week from Monday to Sunday, split by sport. Moving time leaves out pauses; hours are "
        "decimal on the axis (1.5 h is 1 h 30 min).",
        "The activity files; weeks are your local ISO weeks. METRICS.md, \"Time and days\"."),
    "weekly_ascent": Entry(
        "weekly ascent and descent", "Weekly ascent and descent", "the metres climbed and descended each week", "",
        "Each week's climbing above zero and descending below it, by sport. The dashed line, when the goal has a "
        "date ahead, is the ascent needed this week (it grows by at most 10 % a week to the goal's ascent by race "
        "week).",
        "METRICS.md, \"Elevation gain and loss\" and \"The goal: Barkley-level climbing\"."),
    "cumulative_ascent": Entry(
        "cumulative ascent", "Cumulative ascent", "all the climbing from the first day shown, added up", "",
        "The running total of the metres climbed over the dates shown: a steeper line is a bigger block of "
        "climbing.",
        "METRICS.md, \"Elevation gain and loss\"."),
    # ---- the goal
    "goal_ascent": Entry(
        "the goal ascent", "Goal ascent", "the goal race's total climbing", "",
        "The climbing of the whole goal race, as set in Settings. The Barkley Marathons climb about 17,698 m, twice "
        "Everest from sea level (2 × 8,849 m). The goal's figures count only the goal's sports and leave out "
        "excluded runs and suspect ascents, so one bad file never makes you look ready.",
        f"Your goal in Settings. {_GOAL}."),
    "best_7day": Entry(
        "the best 7-day ascent", "Best 7 days", "the most climbing in any 7 days in a row", "",
        "The most you have climbed in any 7 consecutive days of your record: a training week with the race's "
        "climbing is a sign of readiness.",
        f"{_GOAL}."),
    "best_window": Entry(
        "the best race-length window", "Best window", "the most climbing in any stretch as long as the race's "
        "time limit", "",
        "The most you have climbed in any window as long as the race's time limit (60 hours for the Barkley), "
        "counted sample by sample and across activities: a back-to-back weekend counts as one window.",
        f"{_GOAL}."),
    "biggest": Entry(
        "the biggest activity", "Biggest activity", "the most climbing in one activity, in loops of the race", "",
        "Your biggest single activity by climbing, against one loop of the race (the goal's ascent divided by its "
        "loops).",
        f"{_GOAL}."),
    "last_7_days": Entry(
        "the last 7 days' ascent", "Last 7 days", "climbing in the last 7 days, the day shown included", "",
        "A rolling week, unlike this week from Monday: it is what \"on track\" compares with the weekly ascent "
        "needed, and \"reached\" with the goal's ascent.",
        f"{_GOAL}."),
    "needed": Entry(
        "the ascent needed this week", "Needed this week", "how much to climb this week to be ready by race day", "",
        "The weekly climbing to do now so that, adding at most 10 % a week (the ramp cap, a setting), your weekly "
        "climbing reaches the goal's whole ascent by race week. You are on track when the last 7 days climbed at "
        "least that much, and have reached the goal when they climbed the goal's ascent. It needs a goal date.",
        f"Needed = goal ascent ÷ 1.1^(weeks to the goal). {_GOAL}."),
    "trend": Entry(
        "the trend", "Trend", "how much your weekly climbing grows each week", "",
        "The slope of a straight line through your weekly climbing of the last 4 weeks (rolling 7-day totals): "
        "positive when your weeks grow, negative when they shrink.",
        f"A least-squares line through the last 4 weekly ascents (trainlog's own). {_GOAL}."),
    "projected": Entry(
        "the trend's goal date", "Trend reaches the goal",
        "when your weekly climbing reaches the goal's ascent if it keeps growing as it has", "",
        "Where the trend line of your weekly climbing crosses the goal's ascent. \"Reached\" when a week already "
        "climbed it; no date when the trend is flat or falling, or would take more than ten years.",
        f"The trend line continued (trainlog's own). {_GOAL}.", ask="When does the trend reach the goal?"),
    # ---- one activity
    "elapsed": Entry(
        "elapsed time", "Elapsed", "clock time from start to finish, pauses included", "hours and minutes",
        "The whole time from pressing start to pressing stop. Moving time, under it, leaves out the pauses.",
        "The activity file's session."),
    "activity_distance": Entry(
        "the activity's distance", "Distance", "the distance of this activity", "",
        "The watch's total, else the distance summed from the recorded positions.",
        "The activity file's session, else its samples."),
    "activity_ascent": Entry(
        "the activity's ascent", "Ascent", "metres climbed; the watch's and the altitude track's totals below", "",
        "The watch's total is used when it agrees with the climbing trainlog counts from the altitude track "
        "(rises over 3 m, glitches removed); otherwise trainlog's own count. When they disagree, or the climbing "
        "is faster than a person climbs, the ascent is suspect until you confirm it.",
        "METRICS.md, \"Elevation gain and loss\"."),
    "gap": Entry(
        "grade-adjusted pace", "Grade-adjusted pace", "your pace as if the course were flat", "",
        "Climbing costs more energy than running on the flat, and gentle descents less. Grade-adjusted pace turns "
        "each stretch into the flat pace of the same effort, from the energy cost of running on slopes measured by "
        "Minetti and colleagues. Km-effort adds a kilometre for every 100 m of climbing.",
        "Minetti et al., J Appl Physiol 2002;93:1039 (grades within ±45 %); km-effort = km + ascent ÷ 100 (ITRA). "
        "METRICS.md, \"Grade and grade-adjusted pace (GAP)\"."),
    "load": Entry(
        "an activity's load", "Load", "how hard the activity was", f"{LOAD_POINTS} (an hour at "
        "threshold = 100)",
        "From heart rate when it covers at least 80 % of the moving time (Banister's TRIMP, scaled so that an hour "
        "at threshold heart rate scores 100). Without it: from power when cycling with an FTP set, from "
        "grade-adjusted pace on foot, from your effort rating (RPE) if you gave one, else estimated from the "
        "duration (50 points an hour). The words under the number say which.",
        "Banister TRIMP, Coggan TSS, pace-based rTSS, Foster 2001 session RPE. METRICS.md, \"Heart-rate load\" and "
        "\"Load when there is no heart rate, and by sport\"."),
    "load_rpe": Entry(
        "the session-RPE load", "Session-RPE load", "your effort rating times the moving minutes",
        f"{LOAD_POINTS} (an hour at RPE 7 = 100)",
        "How hard the whole session felt, rated on the 0 to 10 scale (RPE) about half an hour after it, times its "
        "moving minutes, scaled so that an hour at RPE 7 (threshold effort) scores 100. It is kept beside the load "
        "from heart rate, so the two can be compared: a session that felt harder than its heart rate says is often "
        "a sign of fatigue, heat, altitude or illness. It is the load of a session without heart rate, power or pace.",
        "Foster et al. 2001, session RPE on Borg's CR-10 scale. METRICS.md, \"Load when there is no heart rate, "
        "and by sport\"."),
    "rpe": Entry(
        "session RPE", "RPE", "how hard the whole session was, on the CR-10 scale from 0 to 10", "",
        "The rating of perceived exertion of the whole session, given about half an hour after it: 0 rest, 1 very "
        "easy, 2 easy, 3 moderate, 4 somewhat hard, 5 hard, 7 very hard, 9 extremely hard, 10 maximal. Feel, from 1 "
        "(very weak) to 5 (very strong), says how your body felt, apart from the effort. Both are yours: a coach "
        "reads them and comments, but only you rate.",
        "Foster et al. 2001, session RPE on Borg's CR-10 scale. METRICS.md, \"Load when there is no heart rate, "
        "and by sport\"."),
    "heart_rate": Entry(
        "the heart rate shown", "Heart rate", "the activity's average heart rate, and its maximum",
        "beats a minute (bpm)",
        "The average of the recorded heart rate over the activity and the highest value recorded.",
        "The activity file's heart-rate samples."),
    # ---- the plan to race day
    "race_form": Entry(
        "race-morning form", "Race-morning form", "form projected to the morning of the race", LOAD_POINTS,
        "Fitness and fatigue continued day by day to race morning with the plan's loads (without a plan, the last "
        "28 days repeated). A taper aims to start the race fresh: form between +5 and +25 (settings).",
        "TrainingPeaks' and intervals.icu's rules of thumb. METRICS.md, \"Planning to race day (projection)\"."),
    "race_fitness": Entry(
        "race-morning fitness", "Race-morning fitness", "fitness projected to the morning of the race",
        f"{LOAD_POINTS} a day",
        "Fitness continued to race morning with the plan's loads. It should peak 14 to 21 days before the race, "
        "then the taper trades a little of it for freshness.",
        "TrainingPeaks' and intervals.icu's rules of thumb. METRICS.md, \"Planning to race day (projection)\"."),
    # ---- wellness and readiness (the Today page's check-in and the Wellness page)
    "readiness": Entry(
        "readiness", "Readiness", "whether this morning's values say to go easy", "",
        "Readiness reads your morning values against your own normal: HRV's 7-day average outside its normal range, "
        "resting heart rate more than 5 bpm above its baseline, under 6 hours of sleep, soreness of 4 or 5, being "
        "ill or injured. A flag (HRV below normal, ill or injured) says to keep the day easy; a warning says to "
        "watch how the session feels. The baselines need 14 mornings with a value in the last 60 days: until then "
        "trainlog is building baseline and judges only sleep, soreness and illness. The numbers are settings.",
        "HRV: Plews et al. 2012, 2013 and 2014, Altini 2022 (HRV4Training's normal values); sleep: Watson et al. 2015 "
        f"(AASM and SRS); resting HR and soreness: trainlog's own. {_WELLNESS}."),
    "hrv": Entry(
        "HRV", "HRV (rMSSD)", "how much your heartbeat varies from beat to beat at rest, each morning",
        "milliseconds (ms) of rMSSD",
        "Heart-rate variability (HRV) as rMSSD, the root mean square of the differences between successive "
        "heartbeats, measured on waking or overnight by a watch or a chest strap. It rises when you are rested and "
        "falls with fatigue, stress, illness, alcohol or a late hard session. One morning says little: trainlog "
        "compares the average of the last 7 days (at least 3 mornings, on a log scale) with your normal range, the "
        "mean of the 60 days before plus and minus half their standard deviation (the band). Below the range flags; "
        "above it warns (often good, but after a hard block it can be deep fatigue).",
        "Plews et al. 2012 (Eur J Appl Physiol 112:3729), 2013 (Sports Med 43:773) and 2014 (IJSPP 9:783); "
        f"Altini 2022, HRV4Training's normal values. {_WELLNESS}."),
    "resting_hr": Entry(
        "resting heart rate", "Resting HR", "your heart rate on waking, against its 60-day baseline",
        "beats a minute (bpm)",
        "The lowest heart rate of the morning, before getting up, or your watch's overnight value. It is a plain "
        "sign of recovery: more than 5 bpm above its baseline, the mean of the 60 days before, often comes with "
        "fatigue, stress, heat or a coming cold, and trainlog warns. The baseline needs 14 mornings with a value.",
        f"A rise above the baseline as a sign of fatigue or illness; the 5 bpm is trainlog's own (a setting). {_WELLNESS}."),
    "sleep": Entry(
        "last night's sleep", "Sleep", "how long you slept the night before each day", "hours (h)",
        "The hours slept the night before, as you enter them or your watch records them. Under 6 hours trainlog "
        "warns: an hour short of the 7 hours adults need, and a hard session feels harder. A day without a bar is a "
        "night without a value.",
        f"Watson et al. 2015 (Sleep 38:843), the AASM and SRS consensus of at least 7 hours. {_WELLNESS}."),
    "wellness_scales": Entry(
        "a 1-5 scale", "How you felt", "sleep quality, soreness, fatigue, stress, mood and motivation, from 1 to 5", "",
        "How you felt each morning, on five-point scales as intervals.icu uses them. For soreness, fatigue and stress 1 "
        "is none and 5 extreme: higher is worse. For sleep quality, mood and motivation 1 is very poor (or none) and 5 "
        "excellent, great or very high: higher is better. Soreness of 4 (high) or 5 warns.",
        f"intervals.icu's wellness fields, on a 1-5 scale. {_WELLNESS}."),
    "daily_load": Entry(
        "the daily load", "Daily load", "the training load of each day, all sports together", f"{LOAD_POINTS} a day",
        "The load of every activity of the day added up: from heart rate when it covers the activity, else from "
        "power, pace, your effort rating or the duration. It is what fitness and fatigue are made of; drawn under the "
        "morning values, it shows how they answer to the training of the days before.",
        "METRICS.md, \"Heart-rate load\" and \"Load when there is no heart rate, and by sport\"."),
}


def entry(key: str) -> Entry:
    """The entry of figure ``key`` (KeyError for an unknown figure: every card has one)."""
    return ENTRIES[key]


def details(key: str) -> html.Details:
    """The "What is fitness?" disclosure: one paragraph and its source."""
    e = ENTRIES[key]
    return html.Details([
        html.Summary(e.question, className="explain-summary"),
        html.P(e.about, className="explain-about"),
        html.P(f"Source: {e.source}", className="explain-source"),
    ], className="explain")


def card(key: str) -> list:
    """What a figure card shows under its value: the caption line with the unit, and the disclosure."""
    return [html.P(ENTRIES[key].line, className="stat-caption"), details(key)]


def section(title: str, keys: tuple[str, ...], element_id: str) -> html.Section:
    """A card of disclosures for the figures a page draws as graphs (the Fatigue and Training pages)."""
    items = [html.Li([html.Strong(ENTRIES[k].title), details(k)]) for k in keys]
    return html.Section([html.H2(title), html.Ul(items, className="explain-list")], id=element_id,
                        className="card")
