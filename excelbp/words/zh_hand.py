"""手算表的文字(中文;键与 words/en_hand.py 相同)。"""

WORDS = {
    "hand_title": "手算:像种子文章那样在纸上算一步训练",
    "hand_note": "每个数都是实时公式,从步骤表读取下面所选的那一步:输入别的步数,整页随之更新。",
    "hand_batch_note": (
        "本批有 {B} 个样本:前向传播和链式法则的各因子取样本 1;所用梯度是整批的平均。"
    ),
    "hand_step": "所算的步",
    "hand_step_note": "(1 到 {steps}:输入步数)",
    "hand_diagram": "这一步的网络(单元及其值,层间的权重)",
    "hand_inputs": "输入",
    "hand_outputs": "输出",
    "hand_layer": "第 {l} 层({act})",
    "hand_forward": "前向传播",
    "hand_sample1": "(本批的样本 1)",
    "hand_loss": "损失",
    "hand_batch_loss": "这一步的 L = 本批 {B} 个样本的平均",
    "hand_gradients": "梯度:链式法则,一个因子一个因子",
    "hand_grad_note": "因子与乘积:样本 1;“平均”之后:整批的平均梯度。",
    "hand_mean": "平均",
    "hand_updates": "更新",
    "hand_rule_note": "优化器自己的规则(见“原理说明”表)给出新值,从该步读取。",
    "hand_sgd_note": "λ:权重衰减(输入表上的 weight_decay,默认 0)。",
}
