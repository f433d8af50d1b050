"""The How it works sheet's texts and each optimizer's rule, in English: the longer words,
kept apart from the labels (words/en.py). Keys are the same in every language."""

WORDS = {
    "how_title": "How it works",
    "how_drawing": "The network (every unit of a layer feeds every unit of the next)",
    "how_input": "input layer",
    "how_hidden": "f = {act}",
    "how_output": "output layer ({act})",
    "how_forward": "Forward pass (for each sample)",
    "how_z": (
        "z_j = Σ_i a_i · w_ij{bias}        the weighted sum into unit j (a_i = x_i for the first"
        " layer)"
    ),
    "how_a": "a_j = f(z_j)        f = {act}",
    "how_softmax": "p_k = e^(z_k − max z) / Σ_m e^(z_m − max z)        softmax of the last layer",
    "how_loss": "Loss L = {loss}        the step's loss is the mean over its {batch} sample(s)",
    "how_backward": "Backward pass: the chain rule, from the loss back to every weight",
    "how_g_out": "∂L/∂ŷ_k = {slope}        how the loss changes with each output",
    "how_d": (
        "δ_j = ∂L/∂z_j = f'(z_j) · ∂L/∂a_j        local derivative × upstream gradient; f' ="
        " {deriv}"
    ),
    "how_d_ce": "δ_k = p_k − y_k        softmax and cross-entropy together",
    "how_g": (
        "∂L/∂a_i = Σ_j w_ij · δ_j        a hidden unit collects the error of every unit it feeds"
    ),
    "how_dw": "∂L/∂w_ij = mean over the batch of a_i · δ_j        ∂L/∂b_j = mean of δ_j",
    "how_update": "Update: p ← {rule} (all parameters together, from the same forward pass)",
    "how_where": "Where each term is in the {steps} sheet",
    "how_cols": "column(s)",
    "how_note": (
        "Each row of {steps} is one step; its parameters are the previous row's updates (step 1:"
        " the initial values on {inputs})."
    ),
    "how_where_blocks": (
        "Where each term is in the {training} sheet (every step is a block of {h} rows: its {B}"
        " sample(s) as rows, its parameters as matrices)"
    ),
    "how_note_blocks": (
        "A block's weights are the previous block's updates (step 1: the initial values on"
        " {inputs}). The {steps} sheet lists each step's loss{acc}."
    ),
    "how_and_accuracy": " and accuracy",
    "how_sumproduct": (
        "Sums of more than four products are one SUMPRODUCT over two ranges lying the same way"
        " (shorter ones are written out, a1*w1+a2*w2+…):"
    ),
    "how_sp_forward": (
        "z = SUMPRODUCT(the sample's row of a, the unit's row of Wᵀ){bias}        (Wᵀ: the step's"
        " weights turned)"
    ),
    "how_sp_backward": (
        "∂L/∂a = SUMPRODUCT(the unit's row of the next layer's W, the sample's row of δ)"
    ),
    "how_sp_gradient": (
        "∂L/∂w = SUMPRODUCT(the column of a, the column of δ) / B        over the batch's rows"
    ),
    "how_bias_rows": "b, ∂L/∂b, new b: the row labelled “bias” under W, ∂L/∂W and W updated",
    "rule_sgd": "p − lr · g,  g = ∂L/∂p + λ·p",
    "rule_momentum": "p − lr · v",
    "rule_nesterov": "p − lr · (g + μ·v)",
    "rule_rmsprop": "p − lr · g / (√s + ε)",
    "rule_adagrad": "p − lr · g / (√s + ε)",
    "rule_adam": "p − lr · m̂ / (√v̂ + ε)",
    "rule_adamw": "p·(1 − lr·λ) − lr · m̂ / (√v̂ + ε)",
    "how_d_bce": "δ_k = (p_k − y_k)/K        sigmoid and binary cross-entropy together",
    "how_opt_sgd": (
        "g = ∂L/∂p + λ·p        the gradient with weight decay λ (weight_decay on Inputs)"
    ),
    "how_opt_momentum": (
        "v ← μ·v + g        momentum: a running sum of gradients (g = ∂L/∂p + λ·p, v = 0 before"
        " step 1)"
    ),
    "how_opt_nesterov": (
        "v ← μ·v + g        Nesterov: the step looks ahead along v (g = ∂L/∂p + λ·p, v = 0 before"
        " step 1)"
    ),
    "how_opt_rmsprop": (
        "s ← α·s + (1 − α)·g²        RMSprop: each parameter's step scaled by its recent gradients'"
        " size"
    ),
    "how_opt_adagrad": (
        "s ← s + g²        Adagrad: each parameter's step scaled by the size of all its gradients"
        " so far"
    ),
    "how_schedule_step": (
        "lr_t = lr · γ^⌊(t − 1) / N⌋        the step schedule: the rate each step uses falls by γ"
        " every N steps (lr_t in the step's row or block)"
    ),
    "how_schedule_cosine": (
        "lr_t = ½ · lr · (1 + cos(π · (t − 1) / T))        the cosine schedule: the rate each step"
        " uses falls from lr towards 0 (lr_t in the step's row or block)"
    ),
    "how_opt_adam": (
        "m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  m̂ = m/(1 − β1^t);  v̂ = v/(1 − β2^t)    "
        "    Adam, t the step number"
    ),
    "how_opt_adamw": (
        "m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  m̂ = m/(1 − β1^t);  v̂ = v/(1 − β2^t)    "
        "    AdamW: Adam with g = ∂L/∂p, its decay on p itself"
    ),
}
