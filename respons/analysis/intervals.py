"""Confidence intervals over replications, computed once here and only formatted elsewhere.

Every KPI is estimated by the mean of its replication values (the replication/deletion
method): replications are independent and identically distributed, so their spread is the
honest measure of uncertainty, whatever happens inside a replication. The interval is the
Student-t interval of that mean, cut to the KPI's possible range (shares 0..1, counts and
times >= 0):

* cutting never changes the coverage: the true value lies in the range, so the cut interval
  contains it exactly when the t interval does; it only drops values that cannot occur;
* a share's value in one replication is the average of thousands of contacts, so it is close
  to normal and the t interval fits; it also estimates what the KPI means (the expected value
  of the replication's share), which a logit-scale interval (centred on the mean logit) does
  not, and a delta-method logit interval explodes with two or three replications (a share of
  99.9 % then gets an interval down to 0.2 %);
* a Wilson interval on the alarms pooled over all replications would be wrong: the alarms of
  one replication share its queue, roster and storms, so they are not independent trials and
  that interval is several times too narrow; a bootstrap over ten replications under-covers.

With fewer than `MIN_REPLICATIONS` replications the t quantile is large and the normal
approximation doubtful: callers warn (`few_replications_warning`).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

LEVEL = 0.95
MIN_REPLICATIONS = 5
# The possible range of a KPI by its unit.
RANGES: dict[str, tuple[float, float]] = {
    "share": (0.0, 1.0), "count": (0.0, math.inf), "s": (0.0, math.inf),
    "h": (0.0, math.inf), "hours": (0.0, math.inf), "nok": (0.0, math.inf),
}
METHOD = ("mean over replications with the Student-t 95 % confidence interval, cut to the "
          "possible range (shares 0..1, counts and times >= 0)")

#: `scipy.special.stdtrit(df, 0.975)` for df = 1 .. 256, as scipy computes it (checked in
#: tests/test_speed.py): the 95 % interval of up to 257 replications needs no scipy import,
#: which costs a command about 0.2 s. Other levels and larger df ask scipy.
T975 = (
    12.706204736174694, 4.302652729749462, 3.1824463052837078, 2.7764451051977934,
    2.5705818356363146, 2.4469118511449786, 2.364624251592784, 2.306004135204166,
    2.262157162798205, 2.228138851986274, 2.200985160091639, 2.1788128296672284,
    2.1603686564627913, 2.144786687917804, 2.131449545559776, 2.1199052992212546,
    2.1098155778333156, 2.1009220402410382, 2.0930240544083087, 2.085963447265864,
    2.0796138447276795, 2.0738730679040254, 2.0686576104190486, 2.0638985616280245,
    2.0595385527532972, 2.0555294386428735, 2.0518305164802846, 2.0484071417952454,
    2.045229642132703, 2.0422724563012378, 2.039513446396408, 2.0369333434601016,
    2.0345152974493383, 2.0322445093177186, 2.030107928250343, 2.0280940009804502,
    2.0261924630291093, 2.0243941639119694, 2.022690920036761, 2.021075390306273,
    2.019540970441376, 2.0180817028184443, 2.016692199227824, 2.0153675744437636,
    2.014103388880846, 2.012895598919429, 2.0117405137297655, 2.010634757624232,
    2.0095752371292392, 2.008559112100761, 2.007583770315836, 2.006646805061688,
    2.0057459953178687, 2.0048792881880564, 2.0040447832891455, 2.003240718847872,
    2.002465459291007, 2.0017174841452356, 2.000995378088267, 2.0002978220142604,
    1.999623584994939, 1.9989715170333788, 1.998340542520741, 1.997729654317693,
    1.9971379083920038, 1.9965644189523117, 1.996008354025296, 1.9954689314298435,
    1.9949454151072374, 1.994437111771186, 1.9939433678456255, 1.9934635666618719,
    1.992997125889855, 1.992543495180932, 1.9921021540022417, 1.9916726096446642,
    1.9912543953883846, 1.9908470688116906, 1.9904502102301285, 1.990063421254446,
    1.9896863234569029, 1.989318557136572, 1.9889597801751624, 1.9886096669757083,
    1.9882679074772216, 1.98793420623902, 1.9876082815890708, 1.9872898648311692,
    1.986978699506281, 1.9866745407037683, 1.9863771544186177, 1.98608631695113,
    1.9858018143458227, 1.985523441866604, 1.9852510035054978, 1.984984311522457,
    1.9847231860139845, 1.9844674545084815, 1.9842169515864174, 1.9839715185235518,
    1.983731002955606, 1.9834952585628793, 1.9832641447734565, 1.9830375264837259,
    1.9828152737950475, 1.9825972617655006, 1.9823833701756908, 1.982173483307727,
    1.9819674897364825, 1.981765282132372, 1.9815667570749007, 1.9813718148763053,
    1.981180359414661, 1.9809922979758567, 1.9808075411039094, 1.9806260024590894,
    1.9804475986834025, 1.980272249272974, 1.9800998764569397, 1.9799304050824402,
    1.9797637625053868, 1.9795998784866382, 1.9794386850933035, 1.9792801166048548,
    1.9791241094237977, 1.9789706019906281, 1.9788195347028539, 1.978670849837835,
    1.9785244914792577, 1.9783804054470222, 1.9782385392303798, 1.9780988419241303,
    1.9779612641677262, 1.9778257580871244, 1.9776922772392527, 1.977560776558935,
    1.9774312123081748, 1.9773035420276506, 1.977177724490333, 1.9770537196570985,
    1.9769314886342528, 1.9768109936328597, 1.976692197929798, 1.9765750658304433,
    1.9764595626329178, 1.9763456545938125, 1.976233308895327, 1.9761224936137445,
    1.976013177689192, 1.9759053308966201, 1.9757989238179392, 1.97569392781527,
    1.9755903150052492, 1.9754880582343404, 1.9753871310551152, 1.9752875077034489,
    1.9751891630765912, 1.9750920727120844, 1.9749962127674756, 1.9749015600007986,
    1.974808091751787, 1.974715785923791, 1.974624620966361, 1.9745345758584756,
    1.9744456300923825, 1.9743577636580294, 1.9742709570280557, 1.9741851911433248,
    1.9741004473989765, 1.9740167076309703, 1.973933954103107, 1.9738521694945061,
    1.973771336887522, 1.9736914397560734, 1.9736124619543842, 1.9735343877061042,
    1.9734572015938032, 1.9733808885488238, 1.9733054338414737, 1.9732308230715456,
    1.9731570421591593, 1.973084077335903, 1.973011915136267, 1.9729405423893598,
    1.9728699462108963, 1.9728001139954416, 1.9727310334089099, 1.9726626923813002,
    1.9725950790996682, 1.972528182001318, 1.972461989767211, 1.9723964913155805,
    1.9723316757957499, 1.9722675325821355, 1.9722040512684433, 1.9721412216620415,
    1.9720790337785026, 1.9720174778363146, 1.9719565442517533, 1.9718962236339088,
    1.971836506779859, 1.9717773846699893, 1.9717188484634527, 1.971660889493761,
    1.971603499264511, 1.9715466694452266, 1.971490391867333, 1.971434658520241,
    1.9713794615475437, 1.9713247932433307, 1.9712706460485947, 1.9712170125477517,
    1.971163885465255, 1.971111257662303, 1.971059122133646, 1.9710074720044717,
    1.9709563005273885, 1.970905601079485, 1.9708553671594717, 1.9708055923849026,
    1.970756270489474, 1.9707073953203922, 1.9706589608358154, 1.9706109611023637,
    1.970563390292698, 1.97051624268316, 1.9704695126514764, 1.9704231946745232,
    1.9703772833261541, 1.9703317732750762, 1.9702866592827877, 1.9702419362015695,
    1.9701975989725262, 1.9701536426236785, 1.9701100622681034, 1.970066853102126,
    1.9700240104035507, 1.9699815295299445, 1.9699394059169584, 1.9698976350766917,
    1.969856212596099, 1.969815134135437, 1.9697743954267473, 1.9697339922723787,
    1.9696939205435462, 1.9696541761789226, 1.9696147551832692, 1.969575653626095,
    1.9695368676403504, 1.9694983934211532, 1.9694602272245434, 1.9694223653662697,
    1.9693848042206037, 1.9693475402191811, 1.9693105698498752, 1.9692738896556876,
)


def t_quantile(df: np.ndarray, q: float) -> np.ndarray:
    """Student-t quantile `q` for `df` degrees of freedom (>= 1), exactly scipy's `stdtrit`."""
    df = np.asarray(df)
    if q == 0.975 and df.size and df.min() >= 1 and df.max() <= len(T975) \
            and np.all(df == np.round(df)):
        return np.asarray(T975)[df.astype(np.int64) - 1]
    from scipy.special import stdtrit  # the Student-t quantile; lighter than scipy.stats

    return stdtrit(df, q)



def mean_ci(values: np.ndarray, level: float = LEVEL,
            unit: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and Student-t bounds over axis 0 (replications), ignoring nan; the bounds are nan
    where fewer than two values remain. Works on a vector or column-wise on a matrix.

    `unit` ('share', 'count', 's', ...) cuts the bounds to the unit's possible range; None
    (or a unit without a range, e.g. a paired difference) leaves them as they are.
    """
    m = np.asarray(values, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        n = np.sum(~np.isnan(m), axis=0)
        mean = np.nanmean(m, axis=0)
        sd = np.nanstd(m, axis=0, ddof=1)
    half = np.where(n > 1, t_quantile(np.maximum(n - 1, 1), 0.5 + level / 2)
                    * sd / np.sqrt(np.maximum(n, 1)), np.nan)
    lo, hi = mean - half, mean + half
    bounds = RANGES.get(unit or "")
    if bounds is not None:
        lo, hi = np.clip(lo, *bounds), np.clip(hi, *bounds)
    return mean, lo, hi


def confidence_interval(values: np.ndarray, level: float = LEVEL,
                        unit: str | None = None) -> tuple[float, float, float]:
    """Mean and interval of a vector of replication values, as floats (nan bounds with fewer
    than two values, all nan with none); `unit` as in `mean_ci`."""
    mean, lo, hi = mean_ci(np.asarray(values, dtype=float).ravel(), level, unit)
    return float(mean), float(lo), float(hi)


def was_cut(mean: float | None, lo: float | None, hi: float | None, unit: str) -> bool:
    """True when a bound of an interval sits on its unit's range limit while the mean does
    not: the t interval reached past what is possible and was cut there."""
    bounds = RANGES.get(unit)
    if bounds is None or mean is None or lo is None or hi is None:
        return False
    return (lo == bounds[0] and mean != lo) or (hi == bounds[1] and mean != hi)


def few_replications_warning(replications: int) -> str | None:
    """A one-line warning when there are too few replications for a trustworthy interval."""
    if replications >= MIN_REPLICATIONS:
        return None
    if replications < 2:
        return ("a single replication has no confidence interval; run at least "
                f"{MIN_REPLICATIONS} replications")
    return (f"only {replications} replications: the 95 % intervals are wide and rest on a "
            f"normal approximation that few replications do not support; run at least "
            f"{MIN_REPLICATIONS}")
