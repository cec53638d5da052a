"""Voice of the customer: survey metrics (CSAT, CES, NPS), scores by group, the emotion curve.

Survey answers sit next to behaviour: a :class:`Feedback` holds answers tied to a touchpoint,
a stage or a case (one customer journey), optionally checked against a
:class:`~frictionkit.Journey`. The metrics are also available as functions on plain arrays
(:func:`csat`, :func:`csat_mean`, :func:`ces`, :func:`nps`), each returning a
:class:`MetricResult` (value, confidence interval, number of answers).

Conventions (they change numbers, so they are pinned here and tested)
--------------------------------------------------------------------
==========  ============================  =========================  ========================
metric      question and scale            value                      confidence interval
==========  ============================  =========================  ========================
``csat``    satisfaction, 1-5             share of answers >= 4      Wilson score interval
                                          (top two boxes), in [0, 1]
``csat``    same answers                  mean on 1-5                Student t interval
(mean)                                    (:func:`csat_mean`)
``ces``     CES 2.0 agreement, 1-7        mean on 1-7, higher =      Student t interval
            (default) or original effort  easier; or mean on 1-5,
            1-5 (``variant="effort"``)    lower = easier
``nps``     likelihood to recommend,      % promoters (9-10) minus   normal interval on the
            0-10                          % detractors (0-6), in     multinomial variance,
                                          [-100, 100]                clipped to [-100, 100]
==========  ============================  =========================  ========================

- **CSAT** is the share of satisfied answers (4 or 5 on 1-5, "top two boxes"); its interval
  is the Wilson (1927) score interval, which stays inside [0, 1] and behaves at 0 % and
  100 % (Newcombe 1998, method 3). :func:`csat_mean` gives the mean instead.
- **CES**: the Customer Effort Score was introduced by Dixon, Freeman and Toman (2010,
  "Stop Trying to Delight Your Customers", HBR) as "How much effort did you personally have
  to put forth to handle your request?" on 1 (very low) to 5 (very high) effort, where lower
  is better. CEB/Gartner's CES 2.0 (Dixon, Toman and DeLisi 2013, *The Effortless
  Experience*) asks for agreement with "The company made it easy for me to handle my
  issue" on 1 (strongly disagree) to 7 (strongly agree), where **higher is better**. The
  default here is CES 2.0 (``variant="agreement"``, scale 1-7); ``variant="effort"``
  selects the original (scale 1-5, lower is better). The value is the plain mean on the
  scale of the variant; the direction only matters for the emotion curve.
- **NPS** (Reichheld 2003, "The One Number You Need to Grow", HBR): promoters answer 9-10,
  detractors 0-6, passives 7-8; NPS = 100 (p_P - p_D). Its variance is that of a
  difference of two multinomial proportions,
  ``var = (p_P + p_D - (p_P - p_D)^2) / n`` (the variance of the mean of +1/0/-1 codes),
  and the interval is ``NPS +- z * 100 * sqrt(var)``, clipped to [-100, 100]
  (the Wald form discussed by Rocks 2016, *The American Statistician* 70(4)).
- **Means** use the Student t interval ``mean +- t(n-1) * s / sqrt(n)``, clipped to the
  scale. With one answer the spread is unknown and the interval is NaN.
- **No answers** give ``value = NaN``, ``n = 0``: no data is never reported as zero.
- Intervals are two-sided at ``confidence`` (default 0.95). Scores need not be integers;
  NPS classes use ``score >= 9`` and ``score <= 6``.

The emotion curve maps every answer to a sentiment in [-1, +1]: CSAT and CES linearly
from their scale (``2 (x - low) / (high - low) - 1``, reversed for the effort variant of
CES, where low effort is good), NPS answers to +1 (promoter), 0 (passive) and -1
(detractor). The sentiment of a group is the mean over its answers, so metrics combine with
weights equal to their number of answers, and a group's NPS-only sentiment is NPS / 100.

Examples
--------
>>> from frictionkit import feedback
>>> feedback.nps([10, 9, 9, 8, 7, 3])
MetricResult(metric='nps', value=33.33, ci_low=-26.31, ci_high=92.97, n=6)
>>> feedback.csat([5, 4, 4, 2, 1]).value
0.6
"""

from __future__ import annotations

from frictionkit.exceptions import SuspiciousScaleWarning, UnlinkedAnswersWarning
from frictionkit.feedback._feedback import Feedback
from frictionkit.feedback._metrics import (
    CES_VARIANTS,
    METRICS,
    MetricResult,
    ces,
    csat,
    csat_mean,
    nps,
)

__all__ = [
    "CES_VARIANTS",
    "METRICS",
    "Feedback",
    "MetricResult",
    "SuspiciousScaleWarning",
    "UnlinkedAnswersWarning",
    "ces",
    "csat",
    "csat_mean",
    "nps",
]
