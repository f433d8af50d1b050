"""The How it works sheet's texts and each optimizer's rule, in Chinese: the longer words,
kept apart from the labels (words/zh.py). Keys are the same in every language."""

WORDS = {
    "how_title": "原理说明",
    "how_drawing": "网络结构(每层的每个单元连接到下一层的每个单元)",
    "how_input": "输入层",
    "how_hidden": "f = {act}",
    "how_output": "输出层({act})",
    "how_forward": "前向传播(每个样本)",
    "how_z": "z_j = Σ_i a_i · w_ij{bias}        单元 j 的加权和(第一层 a_i = x_i)",
    "how_a": "a_j = f(z_j)        f = {act}",
    "how_softmax": "p_k = e^(z_k − max z) / Σ_m e^(z_m − max z)        最后一层的 softmax",
    "how_loss": "损失 L = {loss}        每步的损失是该步 {batch} 个样本的平均",
    "how_backward": "反向传播:链式法则,从损失一路求到每个权重",
    "how_g_out": "∂L/∂ŷ_k = {slope}        损失对每个输出的梯度",
    "how_d": "δ_j = ∂L/∂z_j = f'(z_j) · ∂L/∂a_j        局部导数 × 上游梯度;f' = {deriv}",
    "how_d_ce": "δ_k = p_k − y_k        softmax 与交叉熵合并求导",
    "how_g": "∂L/∂a_i = Σ_j w_ij · δ_j        隐藏单元汇集它连接的每个单元的误差",
    "how_dw": "∂L/∂w_ij = 批内平均 a_i · δ_j        ∂L/∂b_j = δ_j 的平均",
    "how_update": "更新:p ← {rule}(所有参数同时更新,基于同一次前向传播)",
    "how_where": "每一项在 {steps} 表中的位置",
    "how_cols": "列",
    "how_note": (
        "{steps} 表每行是一步;该步的参数是上一行更新后的值(第 1 步用 {inputs} 表中的初始值)。"
    ),
    "how_where_blocks": (
        "每一项在 {training} 表中的位置(每步一个 {h} 行的区块:{B} 个样本按行,参数按矩阵)"
    ),
    "how_note_blocks": (
        "区块的权重是上一个区块更新后的值(第 1 步用 {inputs} 表中的初始值)。{steps}"
        " 表列出每步的损失{acc}。"
    ),
    "how_and_accuracy": "和准确率",
    "how_sumproduct": (
        "超过四项的乘积之和是对两个同方向区域的 SUMPRODUCT(较短的直接展开,a1*w1+a2*w2+…):"
    ),
    "how_sp_forward": (
        "z = SUMPRODUCT(样本的 a 行, 该单元的 Wᵀ 行){bias}        (Wᵀ:本步权重的转置)"
    ),
    "how_sp_backward": "∂L/∂a = SUMPRODUCT(下一层 W 中该单元的行, 样本的 δ 行)",
    "how_sp_gradient": "∂L/∂w = SUMPRODUCT(a 的一列, δ 的一列) / B        对本批各行",
    "how_bias_rows": "b、∂L/∂b、新 b:W、∂L/∂W 和更新后 W 下方标为 “bias” 的一行",
    "rule_sgd": "p − 学习率 · g,g = ∂L/∂p + λ·p",
    "rule_momentum": "p − 学习率 · v",
    "rule_nesterov": "p − 学习率 · (g + μ·v)",
    "rule_rmsprop": "p − 学习率 · g / (√s + ε)",
    "rule_adagrad": "p − 学习率 · g / (√s + ε)",
    "rule_adam": "p − 学习率 · m̂ / (√v̂ + ε)",
    "rule_adamw": "p·(1 − 学习率·λ) − 学习率 · m̂ / (√v̂ + ε)",
    "how_d_bce": "δ_k = (p_k − y_k)/K        sigmoid 与二元交叉熵合并求导",
    "how_opt_sgd": "g = ∂L/∂p + λ·p        带权重衰减 λ 的梯度(见输入表的 weight_decay)",
    "how_opt_momentum": "v ← μ·v + g        动量:梯度的累积(g = ∂L/∂p + λ·p,第 1 步之前 v = 0)",
    "how_opt_nesterov": (
        "v ← μ·v + g        Nesterov:沿 v 向前看一步(g = ∂L/∂p + λ·p,第 1 步之前 v = 0)"
    ),
    "how_opt_rmsprop": "s ← α·s + (1 − α)·g²        RMSprop:按最近梯度的大小缩放每个参数的步长",
    "how_opt_adagrad": "s ← s + g²        Adagrad:按至今所有梯度的大小缩放每个参数的步长",
    "how_schedule_step": (
        "lr_t = 学习率 · γ^⌊(t − 1) / N⌋        阶梯调度:每 N 步学习率乘以 γ(lr_t 见每步的行或块)"
    ),
    "how_schedule_cosine": (
        "lr_t = ½ · 学习率 · (1 + cos(π · (t − 1) / T))        余弦调度:学习率从 lr 降向 0(lr_t"
        " 见每步的行或块)"
    ),
    "how_opt_adam": (
        "m ← β1·m + (1 − β1)·g;v ← β2·v + (1 − β2)·g²;m̂ = m/(1 − β1^t);v̂ = v/(1 − β2^t)       "
        " Adam,t 为步数"
    ),
    "how_opt_adamw": (
        "m ← β1·m + (1 − β1)·g;v ← β2·v + (1 − β2)·g²;m̂ = m/(1 − β1^t);v̂ = v/(1 − β2^t)       "
        " AdamW:g = ∂L/∂p,衰减直接作用于 p"
    ),
}
