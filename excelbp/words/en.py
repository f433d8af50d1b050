"""Every word a workbook shows, in English. Keys are the same in every language."""

WORDS = {
    "sheet_inputs": "Inputs",
    "sheet_steps": "Steps",
    "sheet_training": "Training",
    "sheet_images": "Images",
    "sheet_gradcheck": "Gradient check",
    "sheet_by_hand": "By hand",
    "gc_title": "Gradient check: does backprop's gradient equal the slope of the loss?",
    "gc_note": (
        "Step 1's loss L is computed again with each parameter p moved by +ε and by −ε (full"
        " forward passes below); the slope (L(p+ε) − L(p−ε)) / 2ε must equal backprop's ∂L/∂p from"
        " the {steps} sheet."
    ),
    "gc_eps": "ε (edit it)",
    "gc_max": "largest relative difference",
    "gc_verdict": (
        "green: under 1e-6, backprop agrees with the finite differences; red: it does not"
    ),
    "gc_param": "parameter p",
    "gc_value": "p (initial)",
    "gc_plus": "L(p+ε)",
    "gc_minus": "L(p−ε)",
    "gc_numeric": "numeric (L(p+ε) − L(p−ε)) / 2ε",
    "gc_backprop": "backprop ∂L/∂p",
    "gc_rel": "relative difference",
    "gc_passes": "The forward passes of step 1's batch, one per row",
    "gc_passes_note": (
        "Each row uses the initial parameters with one of them moved (in bold); its loss is the"
        " mean over the batch, as in step 1."
    ),
    "gc_base": "as initialised",
    "gc_moved": "parameters (one moved)",
    "gc_losses": "loss per sample",
    "step": "Step",
    "reference": "w_true: what w should learn",
    "params": "Parameters used in this step",
    "forward": "Forward pass",
    "loss": "Loss",
    "backward": "Backward pass",
    "gradient": "Gradient (mean over the batch)",
    "update": "Update: new p = {rule}",
    "sample": "sample {n}",
    "layer": "layer {n}",
    "step_label": "step",
    "sample_no": "sample #",
    "batch_mean": "batch mean",
    "loss_label": "loss",
    "mean_loss": "loss (mean)",
    "new": "new",
    "title": "excelbp: a neural network that trains itself by backpropagation",
    "howto": (
        "Yellow cells with blue figures are inputs: edit any of them (the data, lr, the initial"
        " weights…) and every step recomputes."
    ),
    "settings": "Settings",
    "lr": "learning rate (lr)",
    "batch": "batch size (fixed when built)",
    "steps": "steps",
    "network": "network",
    "w_true": "w_true (generates y_true)",
    "x_scale": "input scale (X = raw / scale)",
    "y_scale": "target scale (Y = raw / scale)",
    "initial": "initial",
    "final": "after the last step (blue < 0 < red)",
    "final_turned": "the same, turned (Wᵀ: one row per unit, for the forward passes below)",
    "initial_turned": "the initial weights turned (one row per unit), read by step 1",
    "area_dW_turned": (
        "∂L/∂W{l}, turned: a row per unit, a column per input, the bias last (mean over the batch)"
    ),
    "area_W+_turned": "W{l} updated, turned: {rule}; the next step uses these",
    "turned": " (turned: a row per unit)",
    "note_turned": (
        "The first layer copies nothing: a sample's inputs are its row of X on {inputs}. Its"
        " weights stay turned, a row per unit. The batch's z is one array formula: MMULT(the"
        " batch's rows of X, TRANSPOSE(the previous step's updated W)) + b. Each z cell is its"
        " sample's row of X times its unit's row of W. ∂L/∂w = SUMPRODUCT(a column of X over the"
        " batch's rows, the column of δ) / B. Step 1 reads the initial weights, turned on {inputs}."
    ),
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
    "draw": "Draw your own",
    "draw_hint": "Type numbers from 0 (paper) to {top} (ink)",
    "draw_hint2": "into the grid below: the guess follows.",
    "guess": "the network's guess",
    "draw_pass": "Your drawing through the trained network",
    "draw_pixels": "drawing ÷ {scale}",
    "draw_pixels_x": "drawing ÷ x_scale",
    "probs": "probabilities",
    "chart_probs": "What the network thinks you drew",
    "chart_loss": "Loss per step",
    "chart_weights": "Weights per step",
    "chart_accuracy": "Training accuracy (last epoch)",
    "no_bias": "no bias",
    "with_bias": "with bias",
    "batch_accuracy": "accuracy (this batch)",
    "training": (
        "Training, one block per step: the batch's samples as rows, the parameters as matrices"
    ),
    "training_note": (
        "Each block is one step: its weights are the previous block's updates (step 1: the initial"
        " values on {inputs}). {how} says where each term is."
    ),
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
    "area_W+": "W{l} updated: {rule}",
    "area_Wt": "W{l}ᵀ: the same weights turned, one row per unit",
    "note_Wt": (
        "The weights into each unit as a row, lying like the sample's row of inputs, so z pairs the"
        " two cell by cell (one SUMPRODUCT when there are more than four: SUMPRODUCT needs two"
        " ranges the same way round)."
    ),
    "note_dW": (
        "∂L/∂w = SUMPRODUCT(the column of a over the batch, the column of δ) / B: the mean of a · δ"
        " over the batch's samples."
    ),
    "note_g": (
        "∂L/∂a = SUMPRODUCT(the row of the next layer's W, the sample's row of δ): the sum over"
        " every path through the next layer."
    ),
    "area_g_linear": "layer {l}: ∂L/∂a = δ (linear: f′ = 1)",
    "note_softmax": " (subtracting the max keeps e^ finite)",
    "note_sigmoid": "written EXP(MIN(z,0))/(1+EXP(−ABS(z))) so it never overflows",
    "note_loss": "L = mean of the batch's per-sample losses",
    "note_paths": " (chain rule: the sum over every path through the next layer)",
    "note_d_softmax": " (softmax and cross-entropy together)",
    "note_d": " (local derivative × upstream gradient)",
    "note_dW_batch": ", averaged over the batch",
    "note_hit": "1 when the largest p is the true class, else 0",
    "note_acc": "share right over the last epoch's steps (one pass over the data)",
    "note_wt": "the weight that generates y_true: where w should converge",
    "note_raw": "the prediction × y_scale, back in the data's own units",
    "note_params": "step 1 uses the initial value, every later step the previous step's update",
    "with_options": "(from the template's data, with options)",
    "optimizer": "Optimizer state ({opt})",
    "optimizer_label": "optimizer (fixed when built)",
    "hyper_momentum": "momentum (μ)",
    "hyper_alpha": "alpha (α)",
    "hyper_beta1": "beta1 (β1)",
    "hyper_beta2": "beta2 (β2)",
    "hyper_eps": "eps (ε)",
    "hyper_weight_decay": "weight decay (λ)",
    "note_velocity": "v = μ·v (previous step) + g, with g = ∂L/∂p + λ·p; v = 0 before step 1",
    "note_square_avg": (
        "s = α·s (previous step) + (1 − α)·g², with g = ∂L/∂p + λ·p; s = 0 before step 1"
    ),
    "note_sum": "s = s (previous step) + g², with g = ∂L/∂p + λ·p; s = 0 before step 1",
    "note_exp_avg": "m = β1·m (previous step) + (1 − β1)·g; m = 0 before step 1",
    "note_exp_avg_sq": "v = β2·v (previous step) + (1 − β2)·g²; v = 0 before step 1",
    "note_exp_avg_hat": (
        "m̂ = m / (1 − β1^t), t the step number: early steps' averages corrected for starting at 0"
    ),
    "note_exp_avg_sq_hat": (
        "v̂ = v / (1 − β2^t), t the step number: early steps' averages corrected for starting at 0"
    ),
    "area_velocity": "v of W{l} = μ·v + g",
    "area_square_avg": "s of W{l} = α·s + (1 − α)·g²",
    "area_sum": "s of W{l} = s + g²",
    "area_exp_avg": "m of W{l} = β1·m + (1 − β1)·g",
    "area_exp_avg_sq": "v of W{l} = β2·v + (1 − β2)·g²",
    "area_exp_avg_hat": "m̂ of W{l} = m / (1 − β1^t)",
    "area_exp_avg_sq_hat": "v̂ of W{l} = v / (1 − β2^t)",
    "note_d_bce": " (sigmoid and binary cross-entropy together)",
    "lr_t_label": "lr_t",
    "note_lr_t_constant": "lr_t = lr: the same rate every step (--schedule constant)",
    "note_lr_t_step": (
        "lr_t = lr · γ^⌊(t − 1) / N⌋: the rate falls by γ (gamma on Inputs) every N steps"
        " (step_size), as torch's StepLR"
    ),
    "note_lr_t_cosine": (
        "lr_t = ½ · lr · (1 + cos(π · (t − 1) / T)), T the number of steps: from lr down towards 0"
        " along a cosine, as torch's CosineAnnealingLR"
    ),
    "schedule_label": "lr schedule (fixed when built)",
    "schedule_step_size": "step size (N)",
    "schedule_gamma": "gamma (γ)",
    "fit": "the final network at each sample: its prediction is the last column",
    "boundary": "decision boundary: where p = 0.5",
    "on_line": "{x} on the line",
    "chart_data": "data",
    "chart_prediction": "final network",
    "chart_fit": "Data and the network's curve",
    "class": "class",
    "boundary_short": "p = 0.5",
    "chart_boundary": "The line between the classes",
    # learning-rate sweep
    "sheet_sweep": "LR sweep",
    "sheet_rate": "Rate {n}",
    "sweep_title": (
        "Learning-rate sweep: the same network, data and initial parameters, trained once per rate"
    ),
    "sweep_note": (
        "Each rate (yellow) is an input: edit one and its sheet (Rate 1, Rate 2, …) trains again."
        " The data, initial weights and other settings are the ones on {inputs}, shared by every"
        " rate."
    ),
    "sweep_lr": "learning rate",
    "sweep_final": "final loss",
    "sweep_head_note": "The loss of each step of this rate's training, from its own sheet.",
    "chart_sweep": "Loss per step, one curve per learning rate",
}
