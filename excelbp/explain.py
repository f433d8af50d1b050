"""The "How it works" sheet: the network drawn in cells, the formulas in general form, and
where each term lives in the step table."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from . import labels
from .formula_text import EXPLICIT_TERMS
from .layout import StepPlaces, softmax_output
from .plan import Cell, SheetPlan, text

TITLE = {"en": "How it works", "zh": "原理说明"}

TEXT = {
    "en": {
        "drawing": "The network (every unit of a layer feeds every unit of the next)",
        "input": "input layer",
        "hidden": "hidden layer {l} ({act})",
        "output": "output layer ({act})",
        "forward": "Forward pass (for each sample)",
        "z": "z_j = Σ_i a_i · w_ij{bias}        the weighted sum into unit j (a_i = x_i for the first layer)",
        "a": "a_j = f(z_j)        f = {act}",
        "softmax": "p_k = e^(z_k − max z) / Σ_m e^(z_m − max z)        softmax of the last layer",
        "loss": "Loss L = {loss}        the step's loss is the mean over its {batch} sample(s)",
        "backward": "Backward pass: the chain rule, from the loss back to every weight",
        "g_out": "∂L/∂ŷ_k = {slope}        how the loss changes with each output",
        "d": "δ_j = ∂L/∂z_j = f'(z_j) · ∂L/∂a_j        local derivative × upstream gradient; f' = {deriv}",
        "d_ce": "δ_k = p_k − y_k        softmax and cross-entropy together",
        "g": "∂L/∂a_i = Σ_j w_ij · δ_j        a hidden unit collects the error of every unit it feeds",
        "dw": "∂L/∂w_ij = mean over the batch of a_i · δ_j        ∂L/∂b_j = mean of δ_j",
        "update": "Update: w ← w − lr · ∂L/∂w (all parameters together, from the same forward pass)",
        "where": "Where each term is in the Steps sheet",
        "cols": "column(s)",
        "note": "Each row of Steps is one step; its parameters are the previous row's updates (step 1: the initial values on Inputs).",
        "where_blocks": "Where each term is in the Training sheet (every step is a block of {h} rows: its {B} sample(s) as rows, its parameters as matrices)",
        "note_blocks": "A block's weights are the previous block's updates (step 1: the initial values on Inputs). The Steps sheet lists each step's loss{acc}.",
        "and_accuracy": " and accuracy",
        "sumproduct": "Sums of more than four products are one SUMPRODUCT over two ranges lying the same way (shorter ones are written out, a1*w1+a2*w2+…):",
        "sp_forward": "z = SUMPRODUCT(the sample's row of a, the unit's row of Wᵀ){bias}        (Wᵀ: the step's weights turned)",
        "sp_backward": "∂L/∂a = SUMPRODUCT(the unit's row of the next layer's W, the sample's row of δ)",
        "sp_gradient": "∂L/∂w = SUMPRODUCT(the column of a, the column of δ) / B        over the batch's rows",
        "bias_rows": "b, ∂L/∂b, new b: the row labelled “bias” under W, ∂L/∂W and W updated",
    },
    "zh": {
        "drawing": "网络结构(每层的每个单元连接到下一层的每个单元)",
        "input": "输入层",
        "hidden": "隐藏层 {l}({act})",
        "output": "输出层({act})",
        "forward": "前向传播(每个样本)",
        "z": "z_j = Σ_i a_i · w_ij{bias}        单元 j 的加权和(第一层 a_i = x_i)",
        "a": "a_j = f(z_j)        f = {act}",
        "softmax": "p_k = e^(z_k − max z) / Σ_m e^(z_m − max z)        最后一层的 softmax",
        "loss": "损失 L = {loss}        每步的损失是该步 {batch} 个样本的平均",
        "backward": "反向传播:链式法则,从损失一路求到每个权重",
        "g_out": "∂L/∂ŷ_k = {slope}        损失对每个输出的梯度",
        "d": "δ_j = ∂L/∂z_j = f'(z_j) · ∂L/∂a_j        局部导数 × 上游梯度;f' = {deriv}",
        "d_ce": "δ_k = p_k − y_k        softmax 与交叉熵合并求导",
        "g": "∂L/∂a_i = Σ_j w_ij · δ_j        隐藏单元汇集它连接的每个单元的误差",
        "dw": "∂L/∂w_ij = 批内平均 a_i · δ_j        ∂L/∂b_j = δ_j 的平均",
        "update": "更新:w ← w − 学习率 · ∂L/∂w(所有参数同时更新,基于同一次前向传播)",
        "where": "每一项在 Steps 表中的位置",
        "cols": "列",
        "note": "Steps 表每行是一步;该步的参数是上一行更新后的值(第 1 步用 Inputs 表中的初始值)。",
        "where_blocks": "每一项在 Training 表中的位置(每步一个 {h} 行的区块:{B} 个样本按行,参数按矩阵)",
        "note_blocks": "区块的权重是上一个区块更新后的值(第 1 步用 Inputs 表中的初始值)。Steps 表列出每步的损失{acc}。",
        "and_accuracy": "和准确率",
        "sumproduct": "超过四项的乘积之和是对两个同方向区域的 SUMPRODUCT(较短的直接展开,a1*w1+a2*w2+…):",
        "sp_forward": "z = SUMPRODUCT(样本的 a 行, 该单元的 Wᵀ 行){bias}        (Wᵀ:本步权重的转置)",
        "sp_backward": "∂L/∂a = SUMPRODUCT(下一层 W 中该单元的行, 样本的 δ 行)",
        "sp_gradient": "∂L/∂w = SUMPRODUCT(a 的一列, δ 的一列) / B        对本批各行",
        "bias_rows": "b、∂L/∂b、新 b:W、∂L/∂W 和更新后 W 下方标为 “bias” 的一行",
    },
}

LOSS = {
    "sse": "Σ_k (ŷ_k − y_k)²",
    "half_sse": "½ Σ_k (ŷ_k − y_k)²",
    "mse": "(1/K) Σ_k (ŷ_k − y_k)²",
    "cross_entropy": "−Σ_k y_k · ln p_k",
}
SLOPE = {"sse": "2(ŷ_k − y_k)", "half_sse": "ŷ_k − y_k", "mse": "2(ŷ_k − y_k)/K"}
DERIV = {"sigmoid": "a(1 − a)", "tanh": "1 − a²", "relu": "1 if z > 0 else 0", "linear": "1"}
KINDS = [("x", "x"), ("z", "z"), ("a", "a"), ("Lb", "L"), ("g", "∂L/∂a"), ("d", "δ"), ("W", "w"), ("Wt", "wᵀ"), ("dW", "∂L/∂w"), ("db", "∂L/∂b"), ("W+", "new w"), ("b+", "new b")]


def _runs(cols: list[int]) -> str:
    """0-based columns as letter runs: "C–E, J, M–P"."""
    runs, start = [], cols[0]
    for prev, c in zip(cols, cols[1:] + [None]):
        if c != prev + 1:
            a, b = get_column_letter(start + 1), get_column_letter(prev + 1)
            runs.append(a if a == b else f"{a}–{b}")
            start = c
    return ", ".join(runs)


def explain_plan(spec, table: StepPlaces) -> SheetPlan:
    t = TEXT[spec.lang]
    rows: list[list[Cell | None]] = [[text(TITLE[spec.lang], "title")], [text(labels.network_summary(spec), "subtitle")], []]

    rows.append([text(t["drawing"], "section")])
    heads = [t["input"]] + [
        t["output" if l == spec.n_layers else "hidden"].format(l=l, act="softmax" if softmax_output(spec, l) else spec.activation)
        for l in range(1, spec.n_layers + 1)
    ]
    row: list[Cell | None] = []
    for i, h in enumerate(heads):
        row += [text(h, "header_forward")] + ([text("→", "label")] if i < len(heads) - 1 else [])
    rows.append(row)
    for u in range(max(spec.sizes)):
        row = []
        for l, n in enumerate(spec.sizes):
            name = labels.unit(spec, l, u) if u < n else ""
            row += [text(name, "label") if name else None] + ([None] if l < spec.n_layers else [])
        rows.append(row)
    rows.append([])

    bias = " + b_j" if spec.bias else ""
    rows.append([text(t["forward"], "section")])
    rows.append([text(t["z"].format(bias=bias))])
    if spec.activation != "linear" or spec.n_layers > 1:
        rows.append([text(t["a"].format(act=spec.activation))])
    if spec.loss == "cross_entropy":
        rows.append([text(t["softmax"])])
    rows.append([text(t["loss"].format(loss=LOSS[spec.loss], batch=spec.batch))])
    rows.append([])
    rows.append([text(t["backward"], "section")])
    if spec.loss == "cross_entropy":
        rows.append([text(t["d_ce"])])
    else:
        rows.append([text(t["g_out"].format(slope=SLOPE[spec.loss]))])
        rows.append([text(t["d"].format(deriv=DERIV[spec.activation]))])
    if spec.n_layers > 1:
        rows.append([text(t["g"])])
        if spec.loss == "cross_entropy":
            rows.append([text(t["d"].format(deriv=DERIV[spec.activation]))])
    rows.append([text(t["dw"] if spec.bias else t["dw"].split("        ")[0])])
    rows.append([text(t["update"])])
    rows.append([])

    blocks = table.kind == "blocks"
    if blocks:
        # only the SUMPRODUCTs this workbook has (see formula_text.dot and batch_mean)
        sizes, L = spec.sizes, spec.n_layers
        used = [
            t["sp_forward"].format(bias=" + b" if spec.bias else "") if max(sizes[:-1]) > EXPLICIT_TERMS else None,
            t["sp_backward"] if any(sizes[l + 1] > EXPLICIT_TERMS for l in range(1, L)) else None,
            t["sp_gradient"] if spec.batch > 1 else None,
        ]
        if any(used):
            rows.append([text(t["sumproduct"], "section")])
            rows += [[text(line)] for line in used if line]
            rows.append([])
        rows.append([text(t["where_blocks"].format(h=table.height, B=spec.batch), "section")])
    else:
        rows.append([text(t["where"], "section")])
    for kind, name in KINDS:
        # its own columns only (an alias shares another quantity's column and is named there)
        cols = table.kind_columns(kind)
        # blocks: a bias is a row under its matrix, not columns of its own
        if cols and kind not in (("db", "b+") if blocks else ("W", "Wt")):
            rows.append([text(name, "label"), text(f"{table.sheet}!{_runs(cols)} ({len(cols)} {t['cols']})")])
    if blocks and spec.bias:
        rows.append([text(t["bias_rows"])])
    note = t["note_blocks"].format(acc=t["and_accuracy"] if spec.loss == "cross_entropy" else "") if blocks else t["note"]
    rows.append([text(note, "note")])
    extent = (len(rows), max(len(r) for r in rows))
    return SheetPlan(TITLE[spec.lang], rows, extent=extent, widths={1: 22.0, 2: 4.0, 3: 22.0, 4: 4.0, 5: 22.0, 6: 4.0, 7: 22.0})
