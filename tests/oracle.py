"""An independent reference for the workbook contract's training semantics.

Tests compare workbooks recalculated by LibreOffice against this module. It shares
no code and no library with excelbp's NumPy engine: plain Python lists and loops,
the math module, and openpyxl only to read cached values from a file.

Conventions: a matrix is a list of rows. ``W[l][i][j]`` connects input unit i of
layer l to its output unit j (fan_in x fan_out); ``b[l][j]`` is the bias of output
unit j. See docs/WORKBOOK.md, "Training semantics" and "Optimizers".

``activation`` wherever it is taken: one name for every layer (the last then softmax with
cross_entropy, sigmoid with binary_cross_entropy, as ``--activation NAME``), or one name
per layer, as a list or as text "relu,linear" (the last must then agree with the loss).
"""

from __future__ import annotations

import math
from numbers import Real

Matrix = list[list[float]]

ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu")
LOSSES = ("sse", "half_sse", "mse", "cross_entropy", "binary_cross_entropy")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "adagrad")
# defined names whose one cell holds text, not a number, and the texts it may hold
SCHEDULES = ("constant", "step", "cosine")
TEXT_NAMES = {"optimizer": OPTIMIZERS, "schedule": SCHEDULES}
# the contract's defaults, under the workbook's defined names (and oracle.train's keywords)
HYPERPARAMETERS = {
    "momentum": 0.9,
    "alpha": 0.99,
    "beta1": 0.9,
    "beta2": 0.999,
    "eps": 1e-8,
    "weight_decay": 0.0,
}
OWN_DEFAULTS = {"adagrad": {"eps": 1e-10}}  # as torch's
# the one last layer each cross-entropy is defined on
OUTPUT = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}


# --- reading workbooks -----------------------------------------------------------


def read_named(path) -> dict[str, Matrix | float]:
    """Cached values of every workbook-scoped defined name in the xlsx at ``path``.

    A name over one cell gives a float (text for the TEXT_NAMES, such as ``optimizer``),
    a name over a range a list of rows. Raises
    ValueError if a cell holds no cached value (e.g. never recalculated) or a
    non-number (e.g. an error such as #NUM!).
    """
    import openpyxl  # only here: the training code below needs nothing but math

    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        values: dict[str, Matrix | float] = {}
        for name, defn in wb.defined_names.items():
            if name.startswith("_xlnm."):
                continue
            destinations = list(defn.destinations)
            if len(destinations) != 1:
                raise ValueError(f"{path}: name {name} ({defn.attr_text}) is not one range")
            sheet, ref = destinations[0]
            cells = wb[sheet][ref.replace("$", "")]
            if name in TEXT_NAMES:  # an error such as #NAME? is text too: only the known words pass
                if isinstance(cells, tuple) or cells.value not in TEXT_NAMES[name]:
                    raise ValueError(
                        f"{path}: {name} should be one cell holding one of"
                        f" {', '.join(TEXT_NAMES[name])}"
                    )
                values[name] = cells.value
            elif not isinstance(cells, tuple):
                values[name] = _number(cells, name, path)
            else:
                values[name] = [[_number(c, name, path) for c in row] for row in cells]
        return values
    finally:
        wb.close()


def _number(cell, name: str, path) -> float:
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{path}: {name} cell {cell.coordinate} holds {value!r}, not a number")
    return float(value)


# --- maths -----------------------------------------------------------------------


def sigmoid(z: float) -> float:
    """Logistic function, without overflow for any finite z."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def log_softmax(z: list[float]) -> list[float]:
    """ln(softmax(z)), computed as z - max - ln(sum(exp(z - max)))."""
    m = max(z)
    log_sum = math.log(sum(math.exp(v - m) for v in z))
    return [v - m - log_sum for v in z]


def softmax(z: list[float]) -> list[float]:
    """Softmax with the maximum subtracted first."""
    m = max(z)
    e = [math.exp(v - m) for v in z]
    s = sum(e)
    return [v / s for v in e]


def activate(name: str, z: float) -> float:
    if name == "linear":
        return z
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return math.tanh(z)
    if name == "relu":
        return z if z > 0 else 0.0
    if name == "leaky_relu":
        return z if z > 0 else 0.01 * z
    raise ValueError(f"unknown activation {name!r}")


def derivative(name: str, z: float) -> float:
    """d activation / dz at z (relu: 0 at z <= 0, leaky_relu: 0.01 there)."""
    if name == "linear":
        return 1.0
    if name == "sigmoid":
        s = sigmoid(z)
        return s * (1.0 - s)
    if name == "tanh":
        t = math.tanh(z)
        return 1.0 - t * t
    if name == "relu":
        return 1.0 if z > 0 else 0.0
    if name == "leaky_relu":
        return 1.0 if z > 0 else 0.01
    raise ValueError(f"unknown activation {name!r}")


def layer_names(activation, loss: str, n_layers: int) -> list[str]:
    """Each layer's activation, from one name or one per layer (see the module's doc)."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}")
    if isinstance(activation, str) and "," not in activation:
        names = [activation] * n_layers
        names[-1] = OUTPUT.get(loss, activation)
    else:
        names = activation.split(",") if isinstance(activation, str) else list(activation)
        if len(names) != n_layers:
            raise ValueError(f"{len(names)} activations for {n_layers} layers")
    for name in names[:-1]:
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown hidden activation {name!r}")
    if names[-1] != OUTPUT.get(loss, names[-1]) or (
        loss not in OUTPUT and names[-1] not in ACTIVATIONS
    ):
        raise ValueError(f"last activation {names[-1]!r} does not go with loss {loss!r}")
    return names


# --- one sample, one batch ---------------------------------------------------------


def _forward(x, W, b, activation, loss):
    """Pre-activations zs[l] and activations acts[l] (acts[0] = x) of one sample."""
    names = layer_names(activation, loss, len(W))
    acts = [list(x)]
    zs = []
    for l, Wl in enumerate(W):
        a = acts[-1]
        z = [
            sum(a[i] * Wl[i][j] for i in range(len(a))) + (b[l][j] if b is not None else 0.0)
            for j in range(len(Wl[0]))
        ]
        zs.append(z)
        if names[l] == "softmax":
            acts.append(softmax(z))
        else:
            acts.append([activate(names[l], v) for v in z])
    return zs, acts


def sample_loss(x, y, W, b, *, activation: str, loss: str) -> float:
    """The per-sample loss of the contract."""
    zs, acts = _forward(x, W, b, activation, loss)
    return _loss(zs[-1], acts[-1], y, loss)


def _loss(z_last, out, y, loss):
    if loss == "cross_entropy":
        return -sum(yk * lp for yk, lp in zip(y, log_softmax(z_last)))
    if loss == "binary_cross_entropy":  # the contract's stable form, term by term
        return sum(
            max(z, 0.0) - yk * z + math.log(1 + math.exp(-abs(z))) for z, yk in zip(z_last, y)
        ) / len(y)
    sq = sum((o - t) ** 2 for o, t in zip(out, y))
    if loss == "sse":
        return sq
    if loss == "half_sse":
        return 0.5 * sq
    if loss == "mse":
        return sq / len(y)
    raise ValueError(f"unknown loss {loss!r}")


def batch_loss(X, Y, W, b, *, activation: str, loss: str) -> float:
    """Mean per-sample loss over the rows of X and Y."""
    total = sum(sample_loss(x, y, W, b, activation=activation, loss=loss) for x, y in zip(X, Y))
    return total / len(X)


def gradients(X, Y, W, b, *, activation: str, loss: str):
    """Backpropagation: (mean loss, dL/dW, dL/db or None) over the rows of X and Y."""
    n = len(X)
    gW = [[[0.0] * len(Wl[0]) for _ in Wl] for Wl in W]
    gb = [[0.0] * len(Wl[0]) for Wl in W]
    total = 0.0
    names = layer_names(activation, loss, len(W))
    for x, y in zip(X, Y):
        zs, acts = _forward(x, W, b, names, loss)
        out, z_last = acts[-1], zs[-1]
        total += _loss(z_last, out, y, loss)
        # delta = dL/dz of the last layer
        if loss == "cross_entropy":
            y_sum = sum(y)
            delta = [p * y_sum - t for p, t in zip(out, y)]
        elif loss == "binary_cross_entropy":
            delta = [(p - t) / len(y) for p, t in zip(out, y)]
        else:
            scale = {"sse": 2.0, "half_sse": 1.0, "mse": 2.0 / len(y)}[loss]
            delta = [scale * (o - t) * derivative(names[-1], z) for o, t, z in zip(out, y, z_last)]
        for l in range(len(W) - 1, -1, -1):
            a_in = acts[l]
            for i in range(len(a_in)):
                for j in range(len(delta)):
                    gW[l][i][j] += a_in[i] * delta[j] / n
            for j in range(len(delta)):
                gb[l][j] += delta[j] / n
            if l > 0:
                delta = [
                    sum(W[l][i][j] * delta[j] for j in range(len(delta)))
                    * derivative(names[l - 1], zs[l - 1][i])
                    for i in range(len(a_in))
                ]
    return total / n, gW, (gb if b is not None else None)


# --- training ----------------------------------------------------------------------


def batch_indices(step: int, batch: int, n: int) -> list[int]:
    """Sample indices used by 1-based ``step``: (s-1)*B ... s*B-1 modulo n."""
    return [((step - 1) * batch + k) % n for k in range(batch)]


def optimizer_step(name: str, p: float, g: float, state: dict, t: int, lr: float, h: dict) -> float:
    """One parameter's update at step t (1-based), read off the contract's Optimizers section:
    ``g`` is ∂L/∂p (the batch mean), ``h`` the hyperparameters under their defined names,
    ``state`` this parameter's own state (absent keys count as 0), updated in place."""
    lam = h["weight_decay"]
    if name == "adamw":
        p = p * (1 - lr * lam)  # p ← p·(1 − lr·λ), then the adam step with g = ∂L/∂p
        name = "adam"
    elif lam > 0:
        g = g + lam * p  # g = ∂L/∂p + λ·p
    if name == "sgd":
        return p - lr * g
    if name in ("momentum", "nesterov"):
        v = h["momentum"] * state.get("velocity", 0.0) + g
        state["velocity"] = v
        return p - lr * v if name == "momentum" else p - lr * (g + h["momentum"] * v)
    if name == "rmsprop":
        s = h["alpha"] * state.get("square_avg", 0.0) + (1 - h["alpha"]) * g * g
        state["square_avg"] = s
        return p - lr * g / (math.sqrt(s) + h["eps"])
    if name == "adam":
        m = h["beta1"] * state.get("exp_avg", 0.0) + (1 - h["beta1"]) * g
        v = h["beta2"] * state.get("exp_avg_sq", 0.0) + (1 - h["beta2"]) * g * g
        state["exp_avg"], state["exp_avg_sq"] = m, v
        m_hat = m / (1 - h["beta1"] ** t)
        v_hat = v / (1 - h["beta2"] ** t)
        return p - lr * m_hat / (math.sqrt(v_hat) + h["eps"])
    if name == "adagrad":
        s = state.get("sum", 0.0) + g * g
        state["sum"] = s
        return p - lr * g / (math.sqrt(s) + h["eps"])
    raise ValueError(f"unknown optimizer {name!r}")


def scheduled_lr(schedule: str, lr: float, t: int, steps: int, step_size=None, gamma=None) -> float:
    """lr_t of step t (1-based), read off the contract's Learning-rate schedules section."""
    if schedule == "constant":
        return lr
    if schedule == "step":
        N = max(1, steps // 3) if step_size is None else step_size
        return lr * (0.1 if gamma is None else gamma) ** math.floor((t - 1) / N)
    if schedule == "cosine":
        return 0.5 * lr * (1 + math.cos(math.pi * (t - 1) / steps))
    raise ValueError(f"unknown schedule {schedule!r}")


def train(
    X,
    Y,
    W_init,
    b_init,
    *,
    lr,
    batch,
    steps,
    activation,
    loss,
    bias,
    optimizer="sgd",
    schedule="constant",
    step_size=None,
    gamma=None,
    **hyper,
) -> dict:
    """Train per the contract and return {'loss', 'W_final', 'b_final', 'state'}.

    ``loss`` lists each step's loss before that step's update. ``W_final`` is a list
    per layer of fan_in x fan_out lists, ``b_final`` a list per layer of lists (None
    when ``bias`` is false; ``b_init`` is then ignored). ``activation``: see the module's
    doc. ``optimizer`` is one of OPTIMIZERS, its hyperparameters keywords named as in
    HYPERPARAMETERS (momentum, alpha, beta1, beta2, eps, weight_decay; the rest keep their
    defaults). ``state`` maps each state's PyTorch name (velocity, square_avg, exp_avg,
    exp_avg_sq, sum) to {'W': like W_final, 'b': like b_final} after the last step.
    ``schedule`` (constant, step, cosine) with ``step_size``, ``gamma`` gives each step's rate;
    ``lr_schedule`` lists them.
    """
    layer_names(activation, loss, len(W_init))  # refuses a bad name or pairing at once
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}")
    unknown = set(hyper) - set(HYPERPARAMETERS)
    if unknown:
        raise ValueError(f"unknown hyperparameters {sorted(unknown)}")
    defaults = HYPERPARAMETERS | OWN_DEFAULTS.get(optimizer, {})
    h = {k: float(hyper.get(k, v)) for k, v in defaults.items()}
    lr, batch, steps = float(lr), int(batch), int(steps)
    W = [[[float(v) for v in row] for row in Wl] for Wl in W_init]
    b = [[float(v) for v in bl] for bl in b_init] if bias else None
    # one state dict per scalar parameter, in the same nesting as W and b
    sW = [[[{} for _ in row] for row in Wl] for Wl in W]
    sb = [[{} for _ in bl] for bl in b] if b is not None else None
    losses, rates = [], []
    for step in range(1, steps + 1):
        lr_t = scheduled_lr(schedule, lr, step, steps, step_size, gamma)
        rates.append(lr_t)
        idx = batch_indices(step, batch, len(X))
        L, gW, gb = gradients(
            [X[k] for k in idx], [Y[k] for k in idx], W, b, activation=activation, loss=loss
        )
        losses.append(L)
        W = [
            [
                [optimizer_step(optimizer, w, g, st, step, lr_t, h) for w, g, st in zip(wr, gr, sr)]
                for wr, gr, sr in zip(Wl, gl, sl)
            ]
            for Wl, gl, sl in zip(W, gW, sW)
        ]
        if b is not None:
            b = [
                [optimizer_step(optimizer, v, g, st, step, lr_t, h) for v, g, st in zip(bl, gl, sl)]
                for bl, gl, sl in zip(b, gb, sb)
            ]
    keys = sorted({k for Sl in sW for row in Sl for st in row for k in st})
    state = {
        k: {
            "W": [[[st[k] for st in row] for row in Sl] for Sl in sW],
            "b": [[st[k] for st in sl] for sl in sb] if sb is not None else None,
        }
        for k in keys
    }
    return {"loss": losses, "W_final": W, "b_final": b, "state": state, "lr_schedule": rates}
