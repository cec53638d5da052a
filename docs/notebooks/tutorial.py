"""Tutorial notebook (a jupytext percent script): from a CSV of events to a plan.

The docs build renders it as a page and writes ``tutorial.ipynb`` with its outputs; the
test suite runs it like every page (``tests/test_docs.py``).
"""

# %% [markdown]
# # Notebook: from a CSV of events and a spreadsheet to a plan
#
# An analyst's afternoon, in a notebook: a raw CSV of events exported from the CRM and
# the web analytics, a spreadsheet of candidate improvements kept by the team, and at
# the end a ranked, budgeted plan. Every result object of frictionkit shows itself in a
# notebook (a header of key facts and the head of its table, from `_repr_html_`), and
# draws its charts with `.plot`: this page shows those displays as a notebook does.

# %% [markdown]
# ## The two files
#
# In your project the two files come from your systems. To run anywhere, this notebook
# writes them first: the events of 3,000 buyers of the bundled B2B spare-parts journey
# (simulated, with a faulty support hotline), and the journey's workbook, whose
# `improvements` sheet is the team's list of fixes.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import frictionkit as fk
from frictionkit.datasets import simulate_journeys

mapped = fk.datasets.load_autoparts()
simulate_journeys(
    3000,
    seed=7,
    journey=mapped,
    error_touchpoint="support_hotline",
    error_rate=0.4,
    drop_rate=0.05,
).to_csv("events.csv", index=False)
fk.write_workbook(mapped, "journey.xlsx")

raw = pd.read_csv("events.csv")
raw.head()

# %% [markdown]
# ## Read them
#
# `fk.read_events` reads the CSV and names its columns; journeys still under way
# (`open`) are kept apart. `fk.read_workbook` reads the spreadsheet and checks it as a
# whole (a wrong reference is named with its sheet and row). The log shows its sizes and
# outcomes:

# %%
journey = fk.read_workbook("journey.xlsx")
log = fk.read_events(
    "events.csv",
    case_col="case_id",
    touchpoint_col="touchpoint",
    timestamp_col="timestamp",
    outcome_col="outcome",
    strict=False,  # journeys still under way are "open"
    journey=journey,  # stages come from the map
)
log

# %% [markdown]
# The journey (stages, touchpoints, owners, pain points, improvements):

# %%
journey

# %% [markdown]
# ## Where journeys fail
#
# The funnel and the friction table are DataFrames; `log.plot` draws their twins.

# %%
log.funnel()

# %%
log.plot.funnel()

# %%
friction = log.friction()
friction[["touchpoint", "journeys", "attributable_failures", "verdict"]].head(6)

# %% [markdown]
# ## What fixing a step is worth
#
# The Markov chain of the journeys, and the effect of halving the failures at each step:

# %%
model = log.markov()
model

# %%
effects = log.repair_effects(reduce_failure_by=0.5)
log.plot.repair_effects()

# %% [markdown]
# ## Rank the team's improvements
#
# The value at stake of each pain point (here: the extra successes a full repair would
# bring, at 40,000 EUR each) feeds the ranking; `ranking.plot` draws impact against effort.

# %%
delta = effects.set_index("touchpoint")["delta_success_probability"]
pains = journey.to_frames()["pain_points"]
value_at_stake = (
    pains.set_index("id")["touchpoint"].map(delta).fillna(0.0).clip(lower=0.0) * 3000 * 40_000
)
ranking = fk.prioritise(journey, value_at_stake=value_at_stake)
ranking

# %%
ranking.plot()

# %% [markdown]
# How sure is the order? Other methods, and the estimates' ranges drawn 2,000 times:

# %%
fk.compare_methods(journey, ["value_per_cost", "rice", "wsjf"])

# %%
risk = fk.rank_risk(journey, value_at_stake=value_at_stake, draws=2000, seed=1)
risk

# %%
risk.plot()

# %% [markdown]
# ## The plan
#
# The most valuable set of improvements within 60,000 EUR and each team's capacity, then
# the same under the estimates' uncertainty (how often each improvement is in the plan):

# %%
plan = fk.optimise_portfolio(journey, budget=60_000)
plan

# %%
plan.plot()

# %%
fk.robust_portfolio(journey, budget=60_000, draws=50, seed=7)

# %% [markdown]
# ## Hand it over
#
# The plan as a CSV for the team's tracker, and the HTML report for everyone else:

# %%
plan.to_frame().to_csv("plan.csv", index=False)
with open("plan.csv") as fh:
    print(fh.readline().strip())  # the columns
fk.report.report(journey, log, ranking=ranking, plan=plan, figures=False)

# %%
plt.close("all")
