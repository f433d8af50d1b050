"""The By hand sheet's texts, in English (words/zh_hand.py: the same keys in Chinese)."""

WORDS = {
    "hand_title": "By hand: one training step worked out as the seeds do it on paper",
    "hand_note": (
        "Every number is a live formula reading the step chosen below from the steps sheet:"
        " type another step number and the whole page follows."
    ),
    "hand_batch_note": (
        " The batch has {B} samples: the forward pass and the chain rule's factors are"
        " sample 1's; the gradients used are the batch means."
    ),
    "hand_step": "Step worked out",
    "hand_step_note": "(1 to {steps}: type a step number)",
    "hand_diagram": "The network at this step (units with their values, weights between layers)",
    "hand_inputs": "inputs",
    "hand_outputs": "output",
    "hand_layer": "layer {l} ({act})",
    "hand_forward": "Forward pass",
    "hand_sample1": "(sample 1 of the batch)",
    "hand_loss": "Loss",
    "hand_batch_loss": "L of the step = mean over the batch of {B} samples",
    "hand_gradients": "Gradients: the chain rule, factor by factor",
    "hand_grad_note": "Factors and product: sample 1; after “mean”: the batch's mean gradient.",
    "hand_mean": "mean",
    "hand_updates": "Updates",
    "hand_rule_note": (
        "The optimizer's own rule (How it works) gives the new value, read from the step."
    ),
    "hand_sgd_note": "λ: the weight decay (weight_decay on the Inputs sheet, 0 unless typed).",
}
