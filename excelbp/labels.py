"""Every word a workbook shows: column headers, the notes on them, section titles; en and zh."""

from __future__ import annotations

from .layout import Column, softmax_output
from .spec import Spec

WORDS = {
    "en": {
        "step": "Step",
        "params": "Parameters used in this step",
        "forward": "Forward pass",
        "loss": "Loss",
        "backward": "Backward pass",
        "gradient": "Gradient (mean over the batch)",
        "update": "Update: p − lr · ∂L/∂p",
        "sample": "sample {n}",
        "layer": "layer {n}",
        "step_label": "step",
        "sample_no": "sample #",
        "batch_mean": "batch mean",
        "loss_label": "loss",
        "mean_loss": "loss (mean)",
        "new": "new",
        "title": "excelbp: a neural network that trains itself by backpropagation",
        "howto": "Yellow cells are inputs: edit any of them (the data, lr, the initial weights…) and every step recomputes.",
        "settings": "Settings",
        "lr": "learning rate (lr)",
        "batch": "batch size (batch, fixed when built)",
        "steps": "steps",
        "network": "network",
        "w_true": "w_true (generates y_true)",
        "x_scale": "input scale (X = raw / scale)",
        "y_scale": "target scale (Y = raw / scale)",
        "initial": "initial",
        "final": "after the last step",
        "final_turned": "the same, turned (Wᵀ: one row per unit, for the test pass)",
        "weights": "weights",
        "bias": "bias",
        "data": "Data: one row per sample (X = inputs the network sees, Y = targets)",
        "raw": "raw",
        "scaled": "scaled",
        "test": "Held-out test data (not trained on), classified by the final parameters",
        "test_accuracy": "test accuracy",
        "predicted": "predicted class",
        "true": "true class",
        "right": "right (1/0)",
        "accuracy": "accuracy (last epoch)",
        "confusion": "Confusion matrix of the held-out data (rows: true class, columns: predicted)",
        "images": "One sample as a picture, and what the trained network says it is",
        "pick": "sample number",
        "pick_hint": "Type any sample number from 1 to {n}: the picture and the guess follow.",
        "pixels": "pixels (from X)",
        "target": "target (from Y)",
        "chart_loss": "Loss per step",
        "chart_weights": "Weights per step",
        "chart_accuracy": "Training accuracy (last epoch)",
        "no_bias": "no bias",
        "with_bias": "with bias",
        "batch_accuracy": "accuracy (this batch)",
        "training": "Training, one block per step: the batch's samples as rows, the parameters as matrices",
        "training_note": "Each block is one step. Its weights are the previous block's updated weights (step 1: the initial values on Inputs). A sum of more than four products is one SUMPRODUCT over a row or a column (shorter sums are written out); a mean over the batch is AVERAGE, or SUMPRODUCT(…)/B, down a column. See How it works.",
        "area_x": "inputs x (from the data)",
        "area_z": "layer {l}: z = a · W{l} + b{l}",
        "area_z_nobias": "layer {l}: z = a · W{l}",
        "area_softmax": "softmax: max z, Σ e^(z − max)",
        "area_a": "layer {l}: a = {act}(z)",
        "area_p": "p = softmax(z)",
        "area_y": "targets y",
        "area_raw": "prediction (raw units)",
        "area_Lb": "loss",
        "area_hit": "right (1/0)",
        "area_g": "layer {l}: ∂L/∂a",
        "area_d": "layer {l}: δ = ∂L/∂z",
        "area_W": "W{l} used in this step (rows: inputs; columns: units)",
        "area_dW": "∂L/∂W{l} (mean over the batch)",
        "area_W+": "W{l} updated = W{l} − lr · ∂L/∂W{l}",
        "area_Wt": "W{l}ᵀ: the same weights turned, one row per unit",
        "note_Wt": "The weights into each unit as a row, lying like the sample's row of inputs, so z pairs the two cell by cell (one SUMPRODUCT when there are more than four: SUMPRODUCT needs two ranges the same way round).",
        "note_dW": "∂L/∂w = SUMPRODUCT(the column of a over the batch, the column of δ) / B: the mean of a · δ over the batch's samples.",
        "note_g": "∂L/∂a = SUMPRODUCT(the row of the next layer's W, the sample's row of δ): the sum over every path through the next layer.",
        "area_g_linear": "layer {l}: ∂L/∂a = δ (linear: f′ = 1)",
    },
    "zh": {
        "step": "步骤",
        "params": "本步使用的参数",
        "forward": "前向传播",
        "loss": "损失",
        "backward": "反向传播",
        "gradient": "梯度(批内平均)",
        "update": "参数更新:p − 学习率 · ∂L/∂p",
        "sample": "样本 {n}",
        "layer": "第 {n} 层",
        "step_label": "步",
        "sample_no": "样本号",
        "batch_mean": "批平均",
        "loss_label": "损失",
        "mean_loss": "损失(平均)",
        "new": "新",
        "title": "excelbp:用反向传播自己训练的神经网络",
        "howto": "黄色单元格是输入:修改任何一个(数据、学习率、初始权重……),每一步都会重新计算。",
        "settings": "设置",
        "lr": "学习率 (lr)",
        "batch": "批大小 (batch,生成时固定)",
        "steps": "步数",
        "network": "网络",
        "w_true": "真实权重 w_true(生成 y_true)",
        "x_scale": "输入缩放(X = 原始值 / 缩放)",
        "y_scale": "目标缩放(Y = 原始值 / 缩放)",
        "initial": "初始",
        "final": "最后一步之后",
        "final_turned": "同上,转置(Wᵀ:每个单元一行,用于测试)",
        "weights": "权重",
        "bias": "偏置",
        "data": "数据:每行一个样本(X = 网络的输入,Y = 目标值)",
        "raw": "原始",
        "scaled": "缩放后",
        "test": "留出的测试数据(不参与训练),用最终参数分类",
        "test_accuracy": "测试准确率",
        "predicted": "预测类别",
        "true": "真实类别",
        "right": "正确 (1/0)",
        "accuracy": "准确率(最近一轮)",
        "confusion": "测试数据的混淆矩阵(行:真实类别,列:预测类别)",
        "images": "把一个样本画成图片,以及训练好的网络对它的判断",
        "pick": "样本号",
        "pick_hint": "输入 1 到 {n} 之间的任意样本号,图片和预测随之变化。",
        "pixels": "像素(来自 X)",
        "target": "目标(来自 Y)",
        "chart_loss": "每步损失",
        "chart_weights": "每步权重",
        "chart_accuracy": "训练准确率(最近一轮)",
        "no_bias": "无偏置",
        "with_bias": "有偏置",
        "batch_accuracy": "准确率(本批)",
        "training": "训练:每步一个区块,本批样本按行排列,参数按矩阵排列",
        "training_note": "每个区块是一步。它的权重是上一个区块更新后的权重(第 1 步用 Inputs 表中的初始值)。超过四项的乘积之和是对一行或一列的 SUMPRODUCT(较短的和直接展开);批内平均是沿一列的 AVERAGE 或 SUMPRODUCT(…)/B。见原理说明。",
        "area_x": "输入 x(来自数据)",
        "area_z": "第 {l} 层:z = a · W{l} + b{l}",
        "area_z_nobias": "第 {l} 层:z = a · W{l}",
        "area_softmax": "softmax:max z,Σ e^(z − max)",
        "area_a": "第 {l} 层:a = {act}(z)",
        "area_p": "p = softmax(z)",
        "area_y": "目标 y",
        "area_raw": "预测值(原始单位)",
        "area_Lb": "损失",
        "area_hit": "正确 (1/0)",
        "area_g": "第 {l} 层:∂L/∂a",
        "area_d": "第 {l} 层:δ = ∂L/∂z",
        "area_W": "本步使用的 W{l}(行:输入;列:单元)",
        "area_dW": "∂L/∂W{l}(批内平均)",
        "area_W+": "更新后的 W{l} = W{l} − 学习率 · ∂L/∂W{l}",
        "area_Wt": "W{l}ᵀ:同样的权重转置,每个单元一行",
        "note_Wt": "每个单元的输入权重排成一行,与样本的输入行方向相同,z 逐格相乘求和(超过四项时为一个 SUMPRODUCT:SUMPRODUCT 要求两个区域方向相同)。",
        "area_g_linear": "第 {l} 层:∂L/∂a = δ(线性:f′ = 1)",
        "note_dW": "∂L/∂w = SUMPRODUCT(本批 a 的一列, δ 的一列) / B:本批样本 a · δ 的平均。",
        "note_g": "∂L/∂a = SUMPRODUCT(下一层 W 的一行, 该样本 δ 的一行):经过下一层每个单元的路径之和。",
    },
}


def words(spec: Spec) -> dict[str, str]:
    return WORDS[spec.lang]


def pred_name(name: str) -> str:
    return name.replace("_true", "_pred") if "_true" in name else f"ŷ {name}"


def dest(spec: Spec, l: int, j: int) -> str:
    """The unit a weight feeds: h1, or the prediction it makes (y_pred) in the last layer."""
    if l == spec.n_layers and not softmax_output(spec, l):
        return pred_name(spec.output_names[j])
    return spec.hidden_name(l, j)


def unit(spec: Spec, l: int, j: int) -> str:
    """How unit j of layer l reads in a header: inputs by name, outputs as predictions."""
    if l == 0:
        return spec.input_names[j]
    if l == spec.n_layers:
        name = spec.output_names[j]
        return f"p {name}" if softmax_output(spec, l) else pred_name(name)
    return spec.hidden_name(l, j)


def sub_header(spec: Spec, column: Column) -> str:
    w = words(spec)
    if not column.sub:
        return ""
    kind, number = column.sub.split(" ", 1) if " " in column.sub and column.sub != "batch mean" else (column.sub, "")
    if column.sub == "batch mean":
        return w["batch_mean"]
    return w[kind].format(n=number)


def header(spec: Spec, key: tuple) -> str:
    """The label of a step-table column."""
    w = words(spec)
    kind = key[0]
    if kind == "step":
        return w["step_label"]
    if kind == "sample":
        return w["sample_no"]
    if kind in ("W", "dW", "W+"):
        l, i, j = key[1:]
        name = f"w {unit(spec, l - 1, i)}→{dest(spec, l, j)}"
        return {"W": name, "dW": f"∂L/∂{name}", "W+": f"{w['new']} {name}"}[kind]
    if kind in ("b", "db", "b+"):
        l, j = key[1:]
        name = f"b {dest(spec, l, j)}"
        return {"b": name, "db": f"∂L/∂{name}", "b+": f"{w['new']} {name}"}[kind]
    if kind == "x":
        return spec.input_names[key[2]]
    if kind == "y":
        return spec.output_names[key[2]]
    if kind == "wt":
        return f"w_true {spec.input_names[key[1]]}"
    if kind == "hit":
        return w["right"]
    if kind == "acc":
        return w["accuracy"]
    if kind == "bacc":
        return w["batch_accuracy"]
    if kind == "Wt":
        _, l, j, i = key
        return f"w {unit(spec, l - 1, i)}→{dest(spec, l, j)}"
    if kind == "raw":
        return f"{pred_name(spec.output_names[key[2]])} ({w['raw']})"
    if kind == "z":
        _, b, l, j = key
        if spec.activation == "linear" and not softmax_output(spec, l):
            return unit(spec, l, j)  # a = z: one column says both
        return f"z {dest(spec, l, j)}"
    if kind == "a":
        return unit(spec, key[2], key[3])
    if kind == "m":
        return "max z"
    if kind == "S":
        return "Σ e^(z−max)"
    if kind == "Lb":
        return w["loss_label"]
    if kind == "loss":
        return w["mean_loss"]
    if kind == "g":
        return f"∂L/∂{unit(spec, key[2], key[3])}"
    if kind == "d":
        return f"δ {dest(spec, key[2], key[3])}"
    raise ValueError(key)


def note(spec: Spec, key: tuple) -> str | None:
    """The formula in words, shown as a note on the header. None where the label says it all."""
    kind = key[0]
    zh = spec.lang == "zh"
    if kind in ("z",):
        _, b, l, j = key
        terms = " + ".join(f"{unit(spec, l - 1, i)}·w {unit(spec, l - 1, i)}→{dest(spec, l, j)}" for i in range(spec.sizes[l - 1]))
        bias = f" + b {dest(spec, l, j)}" if spec.bias else ""
        return f"z {dest(spec, l, j)} = {terms}{bias}"
    if kind == "a":
        _, b, l, j = key
        u = unit(spec, l, j)
        if softmax_output(spec, l):
            return f"{u} = softmax: e^(z − max z) / Σ e^(z − max z)" + ("(减去最大值,数值稳定)" if zh else " (subtracting the max keeps e^ finite)")
        return {
            "sigmoid": f"{u} = sigmoid(z) = 1/(1+e^(−z)), " + ("写成 EXP(MIN(z,0))/(1+EXP(−ABS(z))) 以免溢出" if zh else "written EXP(MIN(z,0))/(1+EXP(−ABS(z))) so it never overflows"),
            "tanh": f"{u} = tanh(z)",
            "relu": f"{u} = max(z, 0)",
        }[spec.activation]
    if kind in ("Lb", "loss"):
        if kind == "loss":
            return "L = 批内各样本损失的平均" if zh else "L = mean of the batch's per-sample losses"
        return {
            "sse": "L = Σ (ŷ − y)²",
            "half_sse": "L = ½ Σ (ŷ − y)²",
            "mse": "L = (1/K) Σ (ŷ − y)²",
            "cross_entropy": "L = −Σ y·ln p = (max z + ln Σ e^(z−max z))·Σy − Σ y·z",
        }[spec.loss]
    if kind == "g":
        _, b, l, j = key
        u = unit(spec, l, j)
        if l == spec.n_layers:
            y = spec.output_names[j]
            return {
                "sse": f"∂L/∂{u} = 2({u} − {y})",
                "half_sse": f"∂L/∂{u} = {u} − {y}",
                "mse": f"∂L/∂{u} = 2({u} − {y})/K",
            }[spec.loss]
        paths = " + ".join(f"w {u}→{dest(spec, l + 1, k)}·δ {dest(spec, l + 1, k)}" for k in range(spec.sizes[l + 1]))
        return f"∂L/∂{u} = {paths}" + ("(链式法则:经过下一层每个单元的路径之和)" if zh else " (chain rule: the sum over every path through the next layer)")
    if kind == "d":
        _, b, l, j = key
        u, h = unit(spec, l, j), dest(spec, l, j)
        if softmax_output(spec, l):
            return f"δ {h} = ∂L/∂z {h} = {u} − {spec.output_names[j]}" + ("(softmax 与交叉熵合并求导)" if zh else " (softmax and cross-entropy together)")
        slope = {"sigmoid": f"{u}·(1 − {u})", "tanh": f"(1 − {u}²)", "relu": f"(z {h} > 0 ? 1 : 0)", "linear": "1"}[spec.activation]
        return f"δ {h} = ∂L/∂z {h} = {slope} · ∂L/∂{u}" + ("(局部导数 × 上游梯度)" if zh else " (local derivative × upstream gradient)")
    if kind == "dW":
        _, l, i, j = key
        return f"∂L/∂w {unit(spec, l - 1, i)}→{dest(spec, l, j)} = δ {dest(spec, l, j)} · {unit(spec, l - 1, i)}" + (
            (",批内平均" if zh else ", averaged over the batch") if spec.batch > 1 else ""
        )
    if kind == "db":
        _, l, j = key
        return f"∂L/∂b {dest(spec, l, j)} = δ {dest(spec, l, j)}"
    if kind == "hit":
        return "arg-max 预测 = 真实类别 ? 1 : 0" if zh else "1 when the largest p is the true class, else 0"
    if kind == "acc":
        return "最近一轮(epoch)各步的平均正确率" if zh else "share right over the last epoch's steps (one pass over the data)"
    if kind == "wt":
        return "生成 y_true 的真实权重(收敛目标)" if zh else "the weight that generates y_true: where w should converge"
    if kind == "raw":
        return "预测值 × y_scale(换回原始单位)" if zh else "the prediction × y_scale, back in the data's own units"
    if kind in ("W+", "b+"):
        return "新 p = p − 学习率 · ∂L/∂p" if zh else "new p = p − lr · ∂L/∂p"
    if kind in ("W", "b"):
        return "第1步用初始值,之后用上一步更新后的值" if zh else "step 1 uses the initial value, every later step the previous step's update"
    return None


def network_summary(spec: Spec) -> str:
    w = words(spec)
    arrows = " → ".join(map(str, spec.sizes))
    act = spec.activation + (" + softmax" if spec.loss == "cross_entropy" else "")
    return f"{arrows} · {act} · loss {spec.loss} · {w['with_bias'] if spec.bias else w['no_bias']}"


def area_title(spec: Spec, name: str, layer: int) -> str:
    """The title over a group of a block's columns (blocks layout)."""
    w = words(spec)
    if name == "z" and not spec.bias:
        name = "z_nobias"
    if name == "a" and softmax_output(spec, layer):
        name = "p"
    if name == "g" and spec.activation == "linear":
        name = "g_linear"  # δ shares these cells
    return w[f"area_{name}"].format(l=layer, act=spec.activation)
