#!/usr/bin/env python3
"""Is a backward pass split in two the same, bit for bit, as one backward pass?

The way to hide a SAMPa swap behind the backward pass is to send the later layers' gradient while
the earlier layers' backward still runs: run the backward from the loss down to a cut (the cut's
activation detached, as a leaf that requires a gradient), hand those gradients to the exchange,
then run the backward of the layers below the cut from that activation's gradient. The pair stays
bit-identical to the serial algorithm only if this gives exactly the gradients of one backward.
This checks that on the trainer's ResNet-20 with BatchNorm, cut at every block, on CPU with one
and two intra-op threads (Debian's python3-torch). Prints one line per case; exits 1 on a
difference.
"""
import sys

import torch
import torch.nn.functional as F

from pytorch_step_reference import CifarResNet


def gradients(model, x, y, cut):
    """The parameters' gradients, from one backward (cut None) or split at block `cut`."""
    model.zero_grad(set_to_none=True)
    stem = F.relu(model.bn(model.conv(x)))

    def head(a):
        return model.fc(torch.flatten(F.adaptive_avg_pool2d(model.layers[cut or 0 :](a), 1), 1))

    if cut is None:
        F.cross_entropy(head(stem), y).backward()
        return [p.grad.clone() for p in model.parameters()], 0
    a = model.layers[:cut](stem)
    leaf = a.detach().requires_grad_()
    F.cross_entropy(head(leaf), y).backward()
    early = sum(p.grad is not None for p in model.parameters())  # what could be sent already
    a.backward(leaf.grad)
    return [p.grad.clone() for p in model.parameters()], early


def main():
    failed = False
    for threads in (1, 2):
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        model = CifarResNet(20, 3, 10).train()
        x, y = torch.randn(32, 3, 32, 32), torch.randint(0, 10, (32,))
        state = {k: v.clone() for k, v in model.state_dict().items()}
        whole, _ = gradients(model, x, y, None)
        for cut in range(1, len(model.layers)):
            model.load_state_dict(state)  # the same BatchNorm statistics for each forward
            split, early = gradients(model, x, y, cut)
            same = all(torch.equal(a, b) for a, b in zip(whole, split))
            failed |= not same
            print(f"threads {threads}, cut before block {cut}: {early} of {len(whole)} tensors"
                  f" ready before the lower backward; bitwise equal: {same}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
